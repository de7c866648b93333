package org.attest4j.examples.kms;

import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Test-only TLS client context that trusts any server certificate: the RA-TLS tests check the
 * KMS's attestation, not its WebPKI chain. Never use outside tests.
 */
final class TrustAllTls {
  private TrustAllTls() {}

  /** An SSLContext whose trust manager accepts every certificate. */
  static SSLContext context() throws Exception {
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(null, new TrustManager[] {new Manager()}, null);
    return c;
  }

  /** A trust manager that accepts every certificate. */
  static final class Manager extends X509ExtendedTrustManager {
    public void checkClientTrusted(X509Certificate[] a, String b) {}
    public void checkServerTrusted(X509Certificate[] a, String b) {}
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
    public void checkClientTrusted(X509Certificate[] a, String b, Socket s) {}
    public void checkServerTrusted(X509Certificate[] a, String b, Socket s) {}
    public void checkClientTrusted(X509Certificate[] a, String b, SSLEngine e) {}
    public void checkServerTrusted(X509Certificate[] a, String b, SSLEngine e) {}
  }
}
