package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.attest4j.core.AttestationException;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.testsupport.SnpCertTableBytes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Certificate tables as guests receive them: a configfs-tsm auxblob with PEM entries under
 * big-endian GUIDs (as veraison captured one), an SNP_GET_EXT_REPORT table with DER entries under
 * mixed-endian GUIDs, and tables holding only the VCEK completed with a cert_chain. Tables are
 * built byte by byte from the shared vectors' certificates by {@link SnpCertTableBytes}.
 */
class SnpCertTableVerifyTest {
  static UUID vekGuid(SnpVectorsTest.Vector v) {
    return "VLEK".equals(v.meta().get("signing_key").getAsString()) ? SnpCertTableBytes.VLEK : SnpCertTableBytes.VCEK;
  }

  /** The vector's certificates packed as a table: PEM entries and big-endian GUIDs, or DER and mixed-endian. */
  static byte[] table(SnpVectorsTest.Vector v, boolean pemBigEndian) {
    List<byte[]> chain = SnpCertTableBytes.pemBlocks(v.chain());
    SnpCertTableBytes t = pemBigEndian ? SnpCertTableBytes.bigEndian() : SnpCertTableBytes.mixedEndian();
    if (pemBigEndian) {
      t.addPem(vekGuid(v), v.vek()).addPem(SnpCertTableBytes.ASK, chain.get(0)).addPem(SnpCertTableBytes.ARK, chain.get(1));
    } else {
      t.add(SnpCertTableBytes.ARK, chain.get(1)).add(SnpCertTableBytes.ASK, chain.get(0)).add(vekGuid(v), v.vek());
    }
    return t.build();
  }

  @TestFactory
  Stream<DynamicTest> everyVectorVerifiesThroughATableInBothEncodings() {
    return SnpVectorsTest.vectors().stream().flatMap(v -> Stream.of(true, false).map(pem ->
        DynamicTest.dynamicTest(v.name() + (pem ? " PEM/big-endian" : " DER/mixed-endian"), () -> {
          Clock clock = SnpVectorsTest.clockFor(v);
          SnpVerifier verifier = SnpVerifier.builder().clock(clock).chainCacheSize(0).build();
          SnpCertTable table = SnpCertTable.parse(table(v, pem));
          if (v.valid()) {
            VerifiedSnpReport r = verifier.verify(SnpReport.parse(v.report()), table);
            SnpVectorsTest.assertFieldsEqualMeta(r, v.meta());
            // the same outcome as the separate files
            VerifiedSnpReport direct = VcekChain.verify(v.report(), v.vek(), v.chain(), clock);
            assertEquals(direct.report(), r.report());
            assertArrayEquals(VcekChain.parse(v.vek(), v.chain()).vekDer(), VcekChain.fromCertTable(table).vekDer());
          } else {
            AttestationException direct = assertThrows(AttestationException.class,
                () -> VcekChain.verify(v.report(), v.vek(), v.chain(), clock));
            AttestationException viaTable = assertThrows(AttestationException.class,
                () -> verifier.verify(SnpReport.parse(v.report()), table));
            assertEquals(direct.reason(), viaTable.reason(), v.name());
          }
        })));
  }

  @Test
  void tableWithOnlyTheVcekIsCompletedWithTheCertChain() throws Exception {
    SnpVectorsTest.Vector v = vector("genoa-v5-oak");
    SnpCertTable only = SnpCertTable.parse(SnpCertTableBytes.bigEndian().addPem(SnpCertTableBytes.VCEK, v.vek()).build());
    SnpVerifier verifier = SnpVerifier.builder().clock(SnpVectorsTest.clockFor(v)).build();
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
        () -> verifier.verify(SnpReport.parse(v.report()), only));
    assertEquals(CoreReason.MISSING_INPUT, e.reason());
    assertTrue(e.getMessage().contains("no ASK or ARK entry"), e.getMessage());
    VerifiedSnpReport r = verifier.verify(SnpReport.parse(v.report()), only, v.chain());
    assertEquals(Product.GENOA, r.product());
    assertArrayEquals(v.vek(), VcekChain.fromCertTable(only, v.chain()).vekDer());
    // a full table wins over the given chain (which here is the wrong product's)
    SnpCertTable full = SnpCertTable.parse(table(v, false));
    byte[] milanChain = vector("milan-v3-oak-cb").chain();
    assertEquals(Product.GENOA, verifier.verify(SnpReport.parse(v.report()), full, milanChain).product());
  }

  @Test
  void reportSigningKeyPicksTheEntryWhenBothAreThere() throws Exception {
    SnpVectorsTest.Vector vlek = vector("milan-v3-vlek-aws");
    SnpVectorsTest.Vector vcek = vector("milan-v3-oak-cb");
    List<byte[]> asvkChain = SnpCertTableBytes.pemBlocks(vlek.chain());
    byte[] bytes = SnpCertTableBytes.mixedEndian()
        .add(SnpCertTableBytes.VCEK, vcek.vek())
        .add(SnpCertTableBytes.VLEK, vlek.vek())
        .add(SnpCertTableBytes.ASK, asvkChain.get(0))
        .add(SnpCertTableBytes.ARK, asvkChain.get(1))
        .build();
    VerifiedSnpReport r = SnpVerifier.builder().clock(SnpVectorsTest.clockFor(vlek)).build()
        .verify(SnpReport.parse(vlek.report()), SnpCertTable.parse(bytes));
    assertEquals(SigningKey.VLEK, r.signingKey());
  }

  @Test
  void entryDerDecodesPemAndDropsZeroPadding() throws Exception {
    SnpVectorsTest.Vector v = vector("turin-v5-oak");
    byte[] padded = Arrays.copyOf(v.vek(), v.vek().length + 100);
    SnpCertTable t = SnpCertTable.parse(SnpCertTableBytes.mixedEndian()
        .add(SnpCertTableBytes.VCEK, padded)
        .addPem(SnpCertTableBytes.ASK, SnpCertTableBytes.pemBlocks(v.chain()).get(0))
        .build());
    assertArrayEquals(v.vek(), t.entry(SnpCertTable.EntryType.VCEK).orElseThrow().der());
    assertArrayEquals(SnpCertTableBytes.pemBlocks(v.chain()).get(0), t.entry(SnpCertTable.EntryType.ASK).orElseThrow().der());
    assertEquals(SnpCertTableBytes.ASK, t.entry(SnpCertTable.EntryType.ASK).orElseThrow().guid());

    byte[] junk = padded.clone();
    junk[junk.length - 1] = 7;
    SnpCertTable bad = SnpCertTable.parse(SnpCertTableBytes.bigEndian().add(SnpCertTableBytes.VCEK, junk).build());
    assertEquals(SnpReason.MALFORMED_CERT_TABLE,
        assertThrows(MalformedEvidenceException.class, () -> bad.entry(SnpCertTable.EntryType.VCEK).orElseThrow().der()).reason());
    // a PEM entry must hold exactly one block
    SnpCertTable two = SnpCertTable.parse(SnpCertTableBytes.bigEndian().add(SnpCertTableBytes.VCEK, v.chain()).build());
    assertEquals(SnpReason.MALFORMED_CERT_TABLE,
        assertThrows(MalformedEvidenceException.class, () -> VcekChain.fromCertTable(two, v.chain())).reason());
    SnpCertTable empty = SnpCertTable.parse(SnpCertTableBytes.bigEndian().add(SnpCertTableBytes.VCEK, new byte[0]).build());
    assertEquals(SnpReason.MALFORMED_CERT_TABLE,
        assertThrows(MalformedEvidenceException.class, () -> VcekChain.fromCertTable(empty, v.chain())).reason());
  }

  @Test
  void wrongChipsVcekIsAChipIdMismatchNotABadSignature() throws Exception {
    SnpVectorsTest.Vector genuine = vector("turin-v5-oak");
    SnpVectorsTest.Vector other = vector("neg-turin-v5-wrong-vcek");
    org.attest4j.core.VerificationException e = assertThrows(org.attest4j.core.VerificationException.class,
        () -> VcekChain.verify(genuine.report(), other.vek(), genuine.chain(), SnpVectorsTest.clockFor(genuine)));
    assertEquals(SnpReason.CHIP_ID_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("1e550a8ee5cf9f4d"), e.getMessage());
  }

  static SnpVectorsTest.Vector vector(String name) {
    return SnpVectorsTest.vectors().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
  }
}
