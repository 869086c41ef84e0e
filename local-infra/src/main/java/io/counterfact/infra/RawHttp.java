package io.counterfact.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange over a plain socket, for what the usual clients will not do: send a body that its headers
 * misdescribe, or keep sending a huge body on one thread while the answer is read on another (a client that reads
 * only after sending everything cannot tell a server that refuses early from one that reads it all).
 */
public final class RawHttp {

    /**
     * What came back, how long after the request line was sent, and how many bytes of the body had been written
     * by then ({@code sentBeforeAnswer}: a server that read the whole body before answering lets it all through).
     */
    public record Answer(int status, Map<String, String> headers, String body, long millis, long sentBeforeAnswer) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Writes the body; an IOException (the server closed the connection) ends it quietly. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private RawHttp() {
    }

    /**
     * Sends {@code head} (request line and headers, without the blank line), then {@code body} on a thread of its
     * own, and reads the first answer (its body by Content-Length or until the connection closes).
     */
    public static Answer exchange(int port, String head, Body body, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(timeoutMillis);
            java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
            OutputStream socketOut = socket.getOutputStream();
            OutputStream out = new java.io.FilterOutputStream(socketOut) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    socketOut.write(b, off, len);
                    sent.addAndGet(len);
                }
            };
            long start = System.nanoTime();
            out.write((head.replace("\r\n", "\n").strip().replace("\n", "\r\n") + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread writer = new Thread(() -> {
                try {
                    body.writeTo(out);
                    out.flush();
                } catch (IOException e) {
                    // the server closed the connection: that is what a refusal may do
                }
            }, "raw-http-body");
            writer.setDaemon(true);
            writer.start();
            InputStream in = socket.getInputStream();
            String status = line(in);
            while (status.startsWith("HTTP/1.1 100")) {
                while (!line(in).isEmpty()) {
                    // the 100's headers
                }
                status = line(in);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            long sentBeforeAnswer = sent.get();
            String length = headers.get("content-length");
            byte[] content = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
            return new Answer(Integer.parseInt(status.split(" ")[1]), headers,
                    new String(content, StandardCharsets.UTF_8), millis, sentBeforeAnswer);
        }
    }

    /** Copies {@code body} to the socket in 64 KiB writes. */
    public static Body streaming(InputStream body) {
        return out -> {
            byte[] buffer = new byte[64 * 1024];
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                out.write(buffer, 0, n);
            }
        };
    }

    /** Sends {@code body} with chunked transfer coding (64 KiB chunks) and the terminating chunk. */
    public static Body chunked(InputStream body) {
        return out -> {
            byte[] buffer = new byte[64 * 1024];
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(buffer, 0, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        };
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed before the end of the answer's head: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
