{{/* Chart name, overridable. */}}
{{- define "wasmbind.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Base name of every object: <release>-wasmbind, or <release> when it already says wasmbind. */}}
{{- define "wasmbind.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "wasmbind.operator.fullname" -}}
{{- printf "%s-operator" (include "wasmbind.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wasmbind.injector.fullname" -}}
{{- printf "%s-injector" (include "wasmbind.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object; call with (dict "root" $ "component" "operator"). */}}
{{- define "wasmbind.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "wasmbind.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: wasmbind
{{- end -}}

{{/* Labels that select a component's pods; never change them in an upgrade. */}}
{{- define "wasmbind.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wasmbind.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image reference: the component's own, else <repository>/wasmbind-<component>:<tag>.
     Call with (dict "root" $ "component" "operator" "image" .Values.operator.image). */}}
{{- define "wasmbind.image" -}}
{{- if .image -}}
{{- .image -}}
{{- else -}}
{{- printf "%s/wasmbind-%s:%s" .root.Values.image.repository .component (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The injector's TLS mode (values.schema.json allows selfManaged and certManager only). */}}
{{- define "wasmbind.injector.tlsMode" -}}
{{- .Values.injector.tls.mode -}}
{{- end -}}

{{- define "wasmbind.injector.tlsSecret" -}}
{{- default (printf "%s-tls" (include "wasmbind.injector.fullname" .)) .Values.injector.tls.secretName -}}
{{- end -}}

{{/* Namespaces the webhook never sees: kube-system, the release's own, and the extra ones. */}}
{{- define "wasmbind.injector.excludedNamespaces" -}}
{{- $excluded := list "kube-system" .Release.Namespace -}}
{{- range .Values.injector.excludedNamespaces -}}
{{- $excluded = append $excluded . -}}
{{- end -}}
{{- toJson (uniq $excluded) -}}
{{- end -}}

{{/* Pod-level security context shared by the chart's pods. */}}
{{- define "wasmbind.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext -}}
{{- end -}}

{{- define "wasmbind.containerSecurityContext" -}}
{{- toYaml .Values.containerSecurityContext -}}
{{- end -}}

{{/* Non-empty when sidecars are injected as native sidecars (init containers with
     restartPolicy Always): injector.nativeSidecar true, or "auto" on Kubernetes 1.29 and later. */}}
{{- define "wasmbind.sidecar.native" -}}
{{- $native := .Values.injector.nativeSidecar -}}
{{- if eq (toString $native) "auto" -}}
{{- if semverCompare ">=1.29-0" .Capabilities.KubeVersion.Version -}}true{{- end -}}
{{- else if $native -}}
true
{{- end -}}
{{- end -}}

{{/* The module service's TLS Secret (tls.crt, tls.key, ca.crt). */}}
{{- define "wasmbind.moduleService.tlsSecret" -}}
{{- default (printf "%s-module-service-tls" (include "wasmbind.fullname" .)) .Values.operator.moduleService.tls.secretName -}}
{{- end -}}

{{/* The module service's DNS names: the operator Service's (its certificate names these). */}}
{{- define "wasmbind.moduleService.dnsNames" -}}
{{- $service := include "wasmbind.operator.fullname" . -}}
{{- toJson (list (printf "%s.%s.svc" $service .Release.Namespace) (printf "%s.%s.svc.cluster.local" $service .Release.Namespace)) -}}
{{- end -}}

{{/* The URL the injector hands to sidecars. */}}
{{- define "wasmbind.moduleService.url" -}}
{{- printf "https://%s.%s.svc:%v" (include "wasmbind.operator.fullname" .) .Release.Namespace .Values.operator.moduleService.port -}}
{{- end -}}
