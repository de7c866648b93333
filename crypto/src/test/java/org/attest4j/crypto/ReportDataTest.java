package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.junit.jupiter.api.Test;

class ReportDataTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void nonceBindingRoundTrip() throws Exception {
    X25519KeyPair g = X25519KeyPair.generate();
    Bytes nonce = Bytes.fromHex("00112233445566778899aabbccddeeff");
    ReportData rd = ReportData.withNonce(g.publicKey(), nonce);
    byte[] raw = rd.toBytes();
    assertEquals(64, raw.length);
    assertEquals(g.publicKey(), Bytes.of(raw, 0, 32));
    // [32..64) = SHA-256("attest4j-kms-nonce-v1" ":" nonce)
    assertArrayEquals(
        Kdf.sha256(Kdf.concat("attest4j-kms-nonce-v1:".getBytes(StandardCharsets.US_ASCII), nonce.toByteArray())),
        Arrays.copyOfRange(raw, 32, 64));
    ReportData parsed = ReportData.parse(raw);
    assertEquals(rd, parsed);
    parsed.checkNonce(nonce);
    byte[] flipped = nonce.toByteArray();
    flipped[0] ^= 1;
    Bytes other = Bytes.of(flipped);
    assertEquals(
        CryptoReason.NONCE_MISMATCH,
        assertThrows(VerificationException.class, () -> parsed.checkNonce(other)).reason());
    // a request-digest binding of the same bytes is a different value (content-type tag)
    assertEquals(
        CryptoReason.REQUEST_DIGEST_MISMATCH,
        assertThrows(VerificationException.class, () -> parsed.checkRequestDigest(nonce)).reason());
  }

  @Test
  void requestBindingRoundTrip() throws Exception {
    X25519KeyPair g = X25519KeyPair.generate();
    Bytes req = Bytes.of("{\"app_id\":\"11\"}".getBytes(StandardCharsets.UTF_8));
    ReportData rd = ReportData.parse(ReportData.withRequestDigest(g.publicKey(), req).toBytes());
    rd.checkRequestDigest(req);
    assertThrows(VerificationException.class, () -> rd.checkNonce(req));
    assertThrows(VerificationException.class, () -> rd.checkRequestDigest(Bytes.of(req.toByteArray(), 0, req.length() - 1)));
  }

  @Test
  void parseRefusesBadLengthsAndLowOrderKeys() {
    for (int n : new int[] {0, 32, 63, 65}) {
      assertEquals(
          CryptoReason.BAD_REPORT_DATA,
          assertThrows(MalformedEvidenceException.class, () -> ReportData.parse(new byte[n])).reason());
    }
    for (String lo : LowOrder.POINTS) {
      byte[] rd = new byte[64];
      System.arraycopy(HEX.parseHex(lo), 0, rd, 0, 32);
      assertEquals(
          CryptoReason.BAD_REPORT_DATA,
          assertThrows(MalformedEvidenceException.class, () -> ReportData.parse(rd)).reason());
      assertThrows(org.attest4j.core.InvalidConfigurationException.class, () -> ReportData.withNonce(Bytes.fromHex(lo), Bytes.of(new byte[8])));
    }
  }

  /** dstack-kms.md §7: RA-TLS report_data = SHA-512("ratls-cert:" || 0102). */
  @Test
  void dstackRaTlsVector() {
    assertEquals(
        "c39a56ed249af2cb373cb23756a8e6a064912f0686e55a10fb61aa563c53f88b5599c037982e8c21adae55a07d6896110d7fb3c373528d93d92227aabbd1e21f",
        ReportData.dstackContentDigest("ratls-cert", HEX.parseHex("0102")).toHex());
  }
}
