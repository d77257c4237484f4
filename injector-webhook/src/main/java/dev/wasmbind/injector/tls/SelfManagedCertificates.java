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
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's own certificates with no cert-manager: a CA kept in its own Secret ({@code
 * <secret>-ca}, read only by this class) and a serving certificate in the Secret every replica
 * serves from (no CA key in it), both shared by all replicas, surviving restarts and renewed before
 * they expire; the CA is kept in the MutatingWebhookConfiguration's caBundle. When the CA is
 * replaced, the previous CA stays in the caBundle until it expires, so a replica still serving a
 * certificate of the old CA is trusted until it has reloaded (replicas reload within seconds, the
 * old CA has at least renewBefore left). Every {@link #load()} re-checks all of it, so a caBundle
 * reset by a chart upgrade is put back at the next check.
 */
public final class SelfManagedCertificates implements KeyMaterialSource {

    static final String CA_CERT = "ca.crt";
    static final String CA_KEY = "ca.key";
    static final String PREVIOUS_CA_CERT = "previous-ca.crt";
    static final String TLS_CERT = "tls.crt";
    static final String TLS_KEY = "tls.key";

    private static final Logger LOG = LoggerFactory.getLogger(SelfManagedCertificates.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String secretName;
    private final String caSecretName;
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
        this.caSecretName = secretName + "-ca";
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
            // The caBundle trusts a new CA before any certificate of it is served.
            Map<String, String> ca = ensure(caSecretName, "Opaque", this::renewCaIfNeeded);
            publishCaBundle(ca.get(CA_CERT) + ca.getOrDefault(PREVIOUS_CA_CERT, ""));
            CertificateAuthority authority =
                    CertificateAuthority.fromPem(ca.get(CA_CERT), ca.get(CA_KEY));
            Map<String, String> serving =
                    ensure(
                            secretName,
                            "kubernetes.io/tls",
                            stored -> renewServingIfNeeded(stored, authority));
            return new PemPair(serving.get(TLS_CERT), serving.get(TLS_KEY));
        } catch (KubernetesClientException e) {
            throw new InvalidKeyMaterialException(
                    "Kubernetes API: " + e.getCode() + " " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "self-managed Secrets " + namespace + "/" + secretName + " and " + caSecretName;
    }

    /** Why the caBundle is not current, for /readyz; empty once it is. */
    public Optional<String> caBundleProblem() {
        return Optional.ofNullable(caBundleProblem);
    }

    /** What to store given what is stored: the same map when nothing changes. */
    private interface Renewal {
        Map<String, String> apply(Map<String, String> stored) throws InvalidKeyMaterialException;
    }

    private Map<String, String> ensure(String name, String type, Renewal renewal)
            throws InvalidKeyMaterialException {
        // Two attempts: a conflict means another replica wrote first; its content is then reused.
        for (int attempt = 0; ; attempt++) {
            Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
            Map<String, String> stored = secret == null ? Map.of() : decode(secret);
            Map<String, String> wanted = renewal.apply(stored);
            if (wanted == stored) {
                return stored;
            }
            try {
                write(name, type, secret, wanted);
                return wanted;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt > 0) {
                    throw e;
                }
                LOG.info("Secret {}/{} was written concurrently; re-reading it", namespace, name);
            }
        }
    }

    /**
     * The CA Secret: kept while fresh; else a new CA, with the old one's certificate as the
     * previous CA while it has not expired. An expired previous CA is dropped.
     */
    private Map<String, String> renewCaIfNeeded(Map<String, String> stored)
            throws InvalidKeyMaterialException {
        if (stored.isEmpty()) {
            stored = migrateFromServingSecret();
        }
        CertificateAuthority ca = usableCa(stored);
        if (ca != null) {
            String previous = stored.get(PREVIOUS_CA_CERT);
            if (previous == null || unexpired(previous)) {
                return stored;
            }
            LOG.info("Dropping the expired previous CA from {}", describe());
            return Map.of(CA_CERT, stored.get(CA_CERT), CA_KEY, stored.get(CA_KEY));
        }
        CertificateAuthority fresh = CertificateAuthority.create(serviceName + "-ca", caValidity);
        LOG.info("Created a new CA for {}", describe());
        String old = stored.get(CA_CERT);
        if (old != null && unexpired(old)) {
            return Map.of(
                    CA_CERT, fresh.certificatePem(),
                    CA_KEY, fresh.keyPem(),
                    PREVIOUS_CA_CERT, old);
        }
        return Map.of(CA_CERT, fresh.certificatePem(), CA_KEY, fresh.keyPem());
    }

    /** Before the CA had its own Secret it was stored with the serving pair: take it over. */
    private Map<String, String> migrateFromServingSecret() {
        Secret serving = client.secrets().inNamespace(namespace).withName(secretName).get();
        Map<String, String> old = serving == null ? Map.of() : decode(serving);
        if (old.containsKey(CA_CERT) && old.containsKey(CA_KEY)) {
            LOG.info("Moving the CA key out of Secret {}/{}", namespace, secretName);
            return Map.of(CA_CERT, old.get(CA_CERT), CA_KEY, old.get(CA_KEY));
        }
        return Map.of();
    }

    private static boolean unexpired(String certificatePem) {
        try {
            return PemPair.certificates(certificatePem).get(0).getNotAfter().after(new Date());
        } catch (InvalidKeyMaterialException | RuntimeException e) {
            return false;
        }
    }

    /** The serving Secret: the stored map when usable, else a fresh pair from {@code ca}. */
    private Map<String, String> renewServingIfNeeded(
            Map<String, String> stored, CertificateAuthority ca) {
        if (!stored.containsKey(CA_KEY)
                && ca.certificatePem().equals(stored.get(CA_CERT))
                && servingCertificateIsUsable(stored)) {
            return stored;
        }
        PemPair serving = ca.issue(dnsNames(), certificateValidity);
        LOG.info("Issued a serving certificate for {} into {}", dnsNames(), describe());
        return Map.of(
                CA_CERT, ca.certificatePem(),
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

    private void write(String name, String type, Secret existing, Map<String, String> data) {
        Base64.Encoder b64 = Base64.getEncoder();
        SecretBuilder builder =
                existing == null
                        ? new SecretBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withNamespace(namespace)
                                .addToLabels("app.kubernetes.io/managed-by", "wasmbind-injector")
                                .endMetadata()
                        : new SecretBuilder(existing);
        builder.withType(type).withData(null).withStringData(null);
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
