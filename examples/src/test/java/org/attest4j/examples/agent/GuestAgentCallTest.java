package org.attest4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.attest4j.kms.proto.GetMetaResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client every guest and onboarding replica uses for its KMS calls against a hostile KMS (or
 * onboarding source): an endless body is cut at a size bound, a stalled body at one deadline for the
 * whole exchange, a redirect is not followed.
 */
class GuestAgentCallTest {
  private ServerSocket server;
  private final CountDownLatch done = new CountDownLatch(1);

  /** A server that answers every connection with {@code head} and then {@code bodyBytes} zeros, then holds. */
  private URI hostile(String head, long bodyBytes) throws IOException {
    server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try (Socket s = server.accept()) {
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        byte[] chunk = new byte[64 * 1024];
        for (long sent = 0; sent < bodyBytes; sent += chunk.length) {
          out.write(chunk, 0, (int) Math.min(chunk.length, bodyBytes - sent));
        }
        out.flush();
        done.await();
      } catch (IOException | InterruptedException stopped) {
        // the client went away
      }
    }, "hostile-kms");
    t.setDaemon(true);
    t.start();
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    done.countDown();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anEndlessBodyIsCutAtTheSizeBound() throws Exception {
    URI kms = hostile("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n", 1_000_000_000L);
    AgentException e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(AgentException.class,
        () -> GuestAgent.call(HttpClient.newHttpClient(), kms, "GetMeta", new byte[0],
            GetMetaResponse.getDefaultInstance())));
    assertEquals("RESPONSE_TOO_LARGE", e.reason(), e.getMessage());
  }

  @Test
  void aStalledBodyIsCutAtTheDeadline() throws Exception {
    URI kms = hostile("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 10);
    AgentException e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(AgentException.class,
        () -> GuestAgent.call(HttpClient.newHttpClient(), kms, "GetMeta", new byte[0],
            GetMetaResponse.getDefaultInstance(), Duration.ofMillis(200))));
    assertEquals("TIMEOUT", e.reason(), e.getMessage());
  }

  @Test
  void theKmsClientsFollowNoRedirect() throws Exception {
    assertEquals(HttpClient.Redirect.NEVER,
        RatlsGuest.client(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0]).followRedirects());
  }
}
