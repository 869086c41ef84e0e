package io.counterfact.gateway.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.http.impl.HttpServerRequestWrapper;

/**
 * An HTTP/2 request (h2c upgrade or TLS) whose body has no declared length, presented to vertx-http-proxy as
 * {@code Transfer-Encoding: chunked}: HTTP/2 has no chunked coding, and the proxy (4.5) decides to send the
 * HTTP/1.1 upstream request chunked only from that header; without it, the first body chunk would fail with
 * "You must set the Content-Length header". The header itself is hop-by-hop and never reaches the service.
 */
final class Http2BodyRequest extends HttpServerRequestWrapper {

    private final MultiMap headers;

    private Http2BodyRequest(HttpServerRequestInternal delegate) {
        super(delegate);
        this.headers = MultiMap.caseInsensitiveMultiMap().addAll(delegate.headers())
                .set(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED);
    }

    /** @return the request as the proxy should see it */
    static HttpServerRequest adapt(HttpServerRequest request) {
        HttpMethod method = request.method();
        if (request.version() == HttpVersion.HTTP_2 && request.getHeader(HttpHeaders.CONTENT_LENGTH) == null
                && method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS
                && method != HttpMethod.DELETE) {
            return new Http2BodyRequest((HttpServerRequestInternal) request);
        }
        return request;
    }

    @Override
    public MultiMap headers() {
        return headers;
    }

    @Override
    public String getHeader(String name) {
        return headers.get(name);
    }

    @Override
    public String getHeader(CharSequence name) {
        return headers.get(name);
    }
}
