package dev.wasmbind.injector.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's own certificates with no cert-manager: a CA and a serving certificate kept in a
 * Secret (shared by all replicas, surviving restarts), renewed before they expire, and the CA kept
 * in the MutatingWebhookConfiguration's caBundle. Every {@link #load()} re-checks all three, so a
 * caBundle reset by a chart upgrade is put back at the next check.
 */
public final class SelfManagedCertificates implements KeyMaterialSource {

    static final String CA_CERT = "ca.crt";
    static final String CA_KEY = "ca.key";
    static final String TLS_CERT = "tls.crt";
    static final String TLS_KEY = "tls.key";

    private static final Logger LOG = LoggerFactory.getLogger(SelfManagedCertificates.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String secretName;
    private final String serviceName;
    private final String webhookConfigurationName;
    private final Duration caValidity;
    private final Duration certificateValidity;
    private final Duration renewBefore;
    private volatile String caBundleProblem = "caBundle not published yet";

    private SelfManagedCertificates(Builder b) {
        this.client = Objects.requireNonNull(b.client, "client");
        this.namespace = Objects.requireNonNull(b.namespace, "namespace");
        this.secretName = Objects.requireNonNull(b.secretName, "secretName");
        this.serviceName = Objects.requireNonNull(b.serviceName, "serviceName");
        this.webhookConfigurationName =
                Objects.requireNonNull(b.webhookConfigurationName, "webhookConfigurationName");
        this.caValidity = b.caValidity;
        this.certificateValidity = b.certificateValidity;
        this.renewBefore = b.renewBefore;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The names the serving certificate covers: the Service's in-cluster DNS names. */
    public List<String> dnsNames() {
        return List.of(
                serviceName,
                serviceName + "." + namespace,
                serviceName + "." + namespace + ".svc",
                serviceName + "." + namespace + ".svc.cluster.local");
    }

    @Override
    public PemPair load() throws InvalidKeyMaterialException {
        try {
            Map<String, String> stored = ensureSecret();
            publishCaBundle(stored.get(CA_CERT));
            return new PemPair(stored.get(TLS_CERT), stored.get(TLS_KEY));
        } catch (KubernetesClientException e) {
            throw new InvalidKeyMaterialException(
                    "Kubernetes API: " + e.getCode() + " " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "self-managed Secret " + namespace + "/" + secretName;
    }

    /** Why the caBundle is not current, for /readyz; empty once it is. */
    public Optional<String> caBundleProblem() {
        return Optional.ofNullable(caBundleProblem);
    }

    private Map<String, String> ensureSecret() throws InvalidKeyMaterialException {
        // Two attempts: a conflict means another replica wrote first; its content is then reused.
        for (int attempt = 0; ; attempt++) {
            Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
            Map<String, String> stored = secret == null ? Map.of() : decode(secret);
            Map<String, String> wanted = renewIfNeeded(stored);
            if (wanted == stored) {
                return stored;
            }
            try {
                write(secret, wanted);
                return wanted;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt > 0) {
                    throw e;
                }
                LOG.info(
                        "Secret {}/{} was written concurrently; re-reading it",
                        namespace,
                        secretName);
            }
        }
    }

    /** The stored map itself when nothing needs renewing, else a new map with fresh parts. */
    private Map<String, String> renewIfNeeded(Map<String, String> stored)
            throws InvalidKeyMaterialException {
        CertificateAuthority ca = usableCa(stored);
        boolean newCa = ca == null;
        if (newCa) {
            ca = CertificateAuthority.create(serviceName + "-ca", caValidity);
            LOG.info("Created a new CA for {}", describe());
        }
        if (!newCa && servingCertificateIsUsable(stored)) {
            return stored;
        }
        PemPair serving = ca.issue(dnsNames(), certificateValidity);
        LOG.info("Issued a serving certificate for {} into {}", dnsNames(), describe());
        return Map.of(
                CA_CERT, ca.certificatePem(),
                CA_KEY, ca.keyPem(),
                TLS_CERT, serving.certificateChain(),
                TLS_KEY, serving.privateKey());
    }

    private CertificateAuthority usableCa(Map<String, String> stored) {
        if (!stored.containsKey(CA_CERT) || !stored.containsKey(CA_KEY)) {
            return null;
        }
        try {
            CertificateAuthority ca =
                    CertificateAuthority.fromPem(stored.get(CA_CERT), stored.get(CA_KEY));
            return freshEnough(ca.certificate()) ? ca : null;
        } catch (InvalidKeyMaterialException e) {
            LOG.warn("Replacing the unusable CA in {}: {}", describe(), e.getMessage());
            return null;
        }
    }

    private boolean servingCertificateIsUsable(Map<String, String> stored) {
        if (!stored.containsKey(TLS_CERT) || !stored.containsKey(TLS_KEY)) {
            return false;
        }
        try {
            X509Certificate leaf =
                    new PemPair(stored.get(TLS_CERT), stored.get(TLS_KEY)).validate();
            X509Certificate ca = PemPair.certificates(stored.get(CA_CERT)).get(0);
            leaf.verify(ca.getPublicKey());
            return freshEnough(leaf) && dnsNamesOf(leaf).containsAll(dnsNames());
        } catch (Exception e) {
            LOG.warn(
                    "Replacing the unusable serving certificate in {}: {}",
                    describe(),
                    e.getMessage());
            return false;
        }
    }

    private boolean freshEnough(X509Certificate cert) {
        return cert.getNotAfter().toInstant().isAfter(Instant.now().plus(renewBefore));
    }

    private static Set<String> dnsNamesOf(X509Certificate cert) throws CertificateParsingException {
        Set<String> names = new HashSet<>();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                if (Integer.valueOf(2).equals(san.get(0))) {
                    names.add((String) san.get(1));
                }
            }
        }
        return names;
    }

    private void write(Secret existing, Map<String, String> data) {
        Base64.Encoder b64 = Base64.getEncoder();
        SecretBuilder builder =
                existing == null
                        ? new SecretBuilder()
                                .withNewMetadata()
                                .withName(secretName)
                                .withNamespace(namespace)
                                .addToLabels("app.kubernetes.io/managed-by", "wasmbind-injector")
                                .endMetadata()
                        : new SecretBuilder(existing);
        builder.withType("kubernetes.io/tls").withData(null).withStringData(null);
        data.forEach(
                (k, v) ->
                        builder.addToData(
                                k, b64.encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
        Secret secret = builder.build();
        if (existing == null) {
            client.secrets().inNamespace(namespace).resource(secret).create();
        } else {
            // update() sends the resourceVersion read above: a concurrent writer gets a 409.
            client.secrets().inNamespace(namespace).resource(secret).update();
        }
    }

    private static Map<String, String> decode(Secret secret) {
        Map<String, String> out = new java.util.HashMap<>();
        if (secret.getData() != null) {
            Base64.Decoder b64 = Base64.getDecoder();
            secret.getData()
                    .forEach(
                            (k, v) ->
                                    out.put(
                                            k,
                                            new String(b64.decode(v), StandardCharsets.US_ASCII)));
        }
        return Map.copyOf(out);
    }

    private void publishCaBundle(String caPem) {
        String bundle =
                Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        var resource =
                client.admissionRegistration()
                        .v1()
                        .mutatingWebhookConfigurations()
                        .withName(webhookConfigurationName);
        MutatingWebhookConfiguration config = resource.get();
        if (config == null) {
            caBundleProblem =
                    "MutatingWebhookConfiguration "
                            + webhookConfigurationName
                            + " not found; its caBundle cannot be set";
            LOG.warn(caBundleProblem);
            return;
        }
        boolean current =
                config.getWebhooks().stream()
                        .allMatch(w -> bundle.equals(w.getClientConfig().getCaBundle()));
        if (!current) {
            resource.edit(
                    c -> {
                        for (MutatingWebhook w : c.getWebhooks()) {
                            w.getClientConfig().setCaBundle(bundle);
                        }
                        return c;
                    });
            LOG.info(
                    "Set the caBundle of MutatingWebhookConfiguration {}",
                    webhookConfigurationName);
        }
        caBundleProblem = null;
    }

    public static final class Builder {
        private KubernetesClient client;
        private String namespace;
        private String secretName;
        private String serviceName;
        private String webhookConfigurationName;
        private Duration caValidity = Duration.ofDays(3650);
        private Duration certificateValidity = Duration.ofDays(365);
        private Duration renewBefore = Duration.ofDays(30);

        private Builder() {}

        public Builder client(KubernetesClient client) {
            this.client = client;
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public Builder secretName(String secretName) {
            this.secretName = secretName;
            return this;
        }

        public Builder serviceName(String serviceName) {
            this.serviceName = serviceName;
            return this;
        }

        public Builder webhookConfigurationName(String webhookConfigurationName) {
            this.webhookConfigurationName = webhookConfigurationName;
            return this;
        }

        public Builder caValidity(Duration caValidity) {
            this.caValidity = caValidity;
            return this;
        }

        public Builder certificateValidity(Duration certificateValidity) {
            this.certificateValidity = certificateValidity;
            return this;
        }

        /** Renew a certificate once it has less than this left. */
        public Builder renewBefore(Duration renewBefore) {
            this.renewBefore = renewBefore;
            return this;
        }

        public SelfManagedCertificates build() {
            return new SelfManagedCertificates(this);
        }
    }
}
