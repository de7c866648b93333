package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.Test;

/** The input forms {@link VcekChain#parse} accepts, as found in the wild. */
class VcekChainInputTest {
  static byte[] pem(byte[] der) {
    return ("-----BEGIN CERTIFICATE-----\r\n" + Base64.getMimeEncoder().encodeToString(der) + "\r\n-----END CERTIFICATE-----\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  @Test
  void acceptedForms() throws Exception {
    SimulatedSnpPlatform p = SimulatedPlatformTest.platform(Product.MILAN);
    SnpVerifier v = p.verifier(p.clockInsideValidity());
    byte[] report = p.reportBuilder().sign();
    byte[] ask = pem(p.askDer());
    byte[] ark = pem(p.arkDer());
    // ARK first, CRLF line ends, text before the PEM blocks
    byte[] reversed = concat("subject=ARK then ASK\n".getBytes(StandardCharsets.US_ASCII), ark, ask);
    assertEquals(Product.MILAN, v.verify(report, p.vekDer(), reversed).product());
    // the VCEK file holds the VCEK and its chain; the chain file holds all three
    byte[] bundle = concat(ask, pem(p.vekDer()), ark);
    assertEquals(Product.MILAN, v.verify(report, bundle, bundle).product());
    // a chain of one certificate is malformed
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, () -> v.verify(report, p.vekDer(), ark));
    assertEquals(SnpReason.MALFORMED_CERTIFICATE, e.reason());
  }
}
