package dev.wasmbind.injector.admission;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Calls the webhook the way kube-apiserver does: over a new connection, trusting only the caBundle
 * and checking the certificate for the Service's DNS name, while connecting to 127.0.0.1.
 */
final class ApiServerStyleClient {

    static final String SERVICE_HOST = "wasmbind-injector.wasmbind.svc";

    record Answer(int statusCode, String body, X509Certificate certificate) {}

    private ApiServerStyleClient() {}

    static Answer get(Vertx vertx, String caPem, int port, String path) throws Exception {
        HttpClient http =
                vertx.createHttpClient(
                        new HttpClientOptions()
                                .setSsl(true)
                                .setVerifyHost(true)
                                .setTrustOptions(
                                        new PemTrustOptions().addCertValue(Buffer.buffer(caPem))));
        RequestOptions request =
                new RequestOptions()
                        .setMethod(HttpMethod.GET)
                        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
                        .setHost(SERVICE_HOST)
                        .setPort(port)
                        .setURI(path);
        try {
            return http.request(request)
                    .compose(req -> req.send().compose(resp -> answer(req, resp)))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get();
        } finally {
            http.close();
        }
    }

    private static Future<Answer> answer(HttpClientRequest request, HttpClientResponse response) {
        return response.body()
                .map(body -> new Answer(response.statusCode(), body.toString(), peer(request)));
    }

    private static X509Certificate peer(HttpClientRequest request) {
        try {
            return (X509Certificate) request.connection().peerCertificates().get(0);
        } catch (SSLPeerUnverifiedException e) {
            throw new IllegalStateException(e);
        }
    }
}
