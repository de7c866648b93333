package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * A client presenting certificates in a loop cannot make the server verify more of them than its
 * rate-limit budget: the gate refuses before the (counting) certificate check runs, per address.
 */
class HandshakeGateTest {
  private final AtomicInteger checks = new AtomicInteger();
  private final X509TrustManager counting = new X509TrustManager() {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      checks.incrementAndGet();
      throw new CertificateException("forged attestation");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  };
  private final AtomicLong now = new AtomicLong();
  private final Function<InetSocketAddress, String> byIp = a -> a.getAddress().getHostAddress();

  private static SSLEngine from(String ip) throws Exception {
    return SSLContext.getDefault().createSSLEngine(ip, 40000);
  }

  @Test
  void aClientOverItsBudgetIsRefusedBeforeItsCertificateIsChecked() throws Exception {
    HandshakeGate gate = new HandshakeGate(counting, new ClientRateLimiter(1, 3, 100, now::get), byIp);
    SSLEngine attacker = from("127.0.0.2");
    int gated = 0;
    for (int i = 0; i < 50; i++) {
      CertificateException e = assertThrows(CertificateException.class,
          () -> gate.checkClientTrusted(new X509Certificate[0], "EC", attacker));
      if (e.getMessage().startsWith("too many")) {
        gated++;
      }
    }
    assertEquals(3, checks.get(), "certificate checks run for one address");
    assertEquals(47, gated);
    // another address has its own budget
    assertThrows(CertificateException.class,
        () -> gate.checkClientTrusted(new X509Certificate[0], "EC", from("127.0.0.3")));
    assertEquals(4, checks.get());
    // the budget refills with time
    now.addAndGet(1_000_000_000L);
    assertThrows(CertificateException.class,
        () -> gate.checkClientTrusted(new X509Certificate[0], "EC", attacker));
    assertEquals(5, checks.get());
  }

  @Test
  void aHostNameIsNeverResolved() throws Exception {
    HandshakeGate gate = new HandshakeGate(counting, new ClientRateLimiter(1, 1, 100, now::get), a -> {
      throw new AssertionError("resolved " + a);
    });
    CertificateException e = assertThrows(CertificateException.class,
        () -> gate.checkClientTrusted(new X509Certificate[0], "EC", from("kms.invalid")));
    assertTrue(e.getMessage().contains("forged"), e.getMessage());
  }
}
