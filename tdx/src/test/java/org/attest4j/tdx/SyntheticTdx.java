package org.attest4j.tdx;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A synthetic Intel-shaped DCAP PKI (root, PCK Platform CA, PCK leaf with SGX extensions, TCB
 * signing), collateral and a v4 TDX quote, with knobs to produce each failure the verifier must
 * catch. Only usable with {@code TdxVerifier.builder().trustAnchorSpkiSha256ForTesting(...)}.
 */
final class SyntheticTdx {
  static final String O = ", O=Intel Corporation, L=Santa Clara, ST=CA, C=US";
  static final byte[] QE_MRSIGNER = HexFormat.of().parseHex("dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5");

  final Instant now = Instant.parse("2026-01-15T12:00:00Z");
  final KeyPair root = ec();
  final KeyPair pckCa = ec();
  final KeyPair pck = ec();
  final KeyPair tcbSigner = ec();
  final KeyPair ak = ec();

  // knobs
  int[] pckCpuSvn = {3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
  int pckPceSvn = 13;
  String pckFmspc = "90c06f000000";
  String tcbFmspc = "90C06F000000";
  byte[] teeTcbSvn = HexFormat.of().parseHex("0b010400000000000000000000000000");
  long tdAttributes = 1L << 28;
  byte[] mrSignerSeam = new byte[48];
  String moduleMrSigner = "00".repeat(48);
  String platformUpToDateStatus = "UpToDate";
  String moduleTopStatus = "UpToDate";
  int qeIsvSvn = 8;
  byte[] qeMrSigner = QE_MRSIGNER;
  byte[] qeAuthData = new byte[32];
  byte[] qeReportDataOverride;
  List<BigInteger> revokedByRoot = new ArrayList<>();
  List<BigInteger> revokedByPckCa = new ArrayList<>();
  boolean tcbInfoSignedByPck;
  boolean prettyTcbInfo;

  final BigInteger pckCaSerial = BigInteger.valueOf(1001);
  final BigInteger pckSerial = BigInteger.valueOf(2002);
  final BigInteger tcbSerial = BigInteger.valueOf(3003);

  private X509Certificate rootCert;
  private X509Certificate pckCaCert;
  private X509Certificate pckCert;
  private X509Certificate tcbCert;

  static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  byte[] rootSpkiSha256() {
    return sha256(root.getPublic().getEncoded());
  }

  TdxVerifier verifier() {
    return TdxVerifier.builder().trustAnchorSpkiSha256ForTesting(rootSpkiSha256()).build();
  }

  private void certs() throws Exception {
    if (rootCert != null) {
      return;
    }
    Instant nb = now.minus(365, ChronoUnit.DAYS);
    Instant na = now.plus(3650, ChronoUnit.DAYS);
    rootCert = cert("CN=Intel SGX Root CA" + O, root, "CN=Intel SGX Root CA" + O, root, BigInteger.ONE, nb, na, true, null);
    pckCaCert = cert("CN=Intel SGX PCK Platform CA" + O, pckCa, "CN=Intel SGX Root CA" + O, root, pckCaSerial, nb, na, true, null);
    pckCert = cert("CN=Intel SGX PCK Certificate" + O, pck, "CN=Intel SGX PCK Platform CA" + O, pckCa, pckSerial, nb,
        now.plus(365, ChronoUnit.DAYS), false, sgxExtension());
    tcbCert = cert("CN=Intel SGX TCB Signing" + O, tcbSigner, "CN=Intel SGX Root CA" + O, root, tcbSerial, nb, na, false, null);
  }

  private static X509Certificate cert(String subject, KeyPair subjectKey, String issuer, KeyPair issuerKey,
      BigInteger serial, Instant nb, Instant na, boolean ca, byte[] sgxExt) throws Exception {
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), serial,
        Date.from(nb), Date.from(na), new X500Name(subject), subjectKey.getPublic());
    if (ca) {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    }
    if (sgxExt != null) {
      b.addExtension(new ASN1ObjectIdentifier("1.2.840.113741.1.13.1"), false, ASN1Sequence.getInstance(sgxExt));
    }
    ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(s));
  }

  private byte[] sgxExtension() throws Exception {
    String base = "1.2.840.113741.1.13.1";
    ASN1EncodableVector tcb = new ASN1EncodableVector();
    for (int i = 0; i < 16; i++) {
      tcb.add(new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
          new ASN1ObjectIdentifier(base + ".2." + (i + 1)), new ASN1Integer(pckCpuSvn[i])}));
    }
    tcb.add(new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
        new ASN1ObjectIdentifier(base + ".2.17"), new ASN1Integer(pckPceSvn)}));
    byte[] cpusvn = new byte[16];
    for (int i = 0; i < 16; i++) {
      cpusvn[i] = (byte) pckCpuSvn[i];
    }
    tcb.add(new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
        new ASN1ObjectIdentifier(base + ".2.18"), new DEROctetString(cpusvn)}));
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(kv(base + ".1", new DEROctetString(new byte[16])));
    v.add(kv(base + ".2", new DERSequence(tcb)));
    v.add(kv(base + ".3", new DEROctetString(new byte[2])));
    v.add(kv(base + ".4", new DEROctetString(HexFormat.of().parseHex(pckFmspc))));
    v.add(kv(base + ".5", new ASN1Enumerated(1)));
    return new DERSequence(v).getEncoded();
  }

  private static DERSequence kv(String oid, org.bouncycastle.asn1.ASN1Encodable value) {
    return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {new ASN1ObjectIdentifier(oid), value});
  }

  static String pem(X509Certificate... certs) throws Exception {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      for (X509Certificate c : certs) {
        w.writeObject(c);
      }
    }
    return sw.toString();
  }

  byte[] crl(KeyPair issuerKey, String issuer, List<BigInteger> revoked) throws Exception {
    X509v2CRLBuilder b = new X509v2CRLBuilder(new X500Name(issuer), Date.from(now.minus(1, ChronoUnit.DAYS)));
    b.setNextUpdate(Date.from(now.plus(30, ChronoUnit.DAYS)));
    for (BigInteger s : revoked) {
      b.addCRLEntry(s, Date.from(now.minus(2, ChronoUnit.DAYS)), CRLReason.keyCompromise);
    }
    X509CRLHolder h = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate()));
    return h.getEncoded();
  }

  String tcbInfoJson() {
    String sgxUp = comps(new int[] {3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0});
    String sgxOld = comps(new int[] {2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0});
    String sgxRevoked = comps(new int[] {1, 1, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0});
    String tdx = comps(new int[] {5, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    String issue = now.minus(10, ChronoUnit.DAYS).toString();
    String next = now.plus(20, ChronoUnit.DAYS).toString();
    String sep = prettyTcbInfo ? ", " : ",";
    return "{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"" + issue + "\",\"nextUpdate\":\"" + next + "\""
        + sep + "\"fmspc\":\"" + tcbFmspc + "\",\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":18,"
        + "\"tdxModule\":{\"mrsigner\":\"" + moduleMrSigner + "\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},"
        + "\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\"" + moduleMrSigner + "\",\"attributes\":\"0000000000000000\","
        + "\"attributesMask\":\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":["
        + "{\"tcb\":{\"isvsvn\":6},\"tcbDate\":\"2024-11-13T00:00:00Z\",\"tcbStatus\":\"" + moduleTopStatus + "\"},"
        + "{\"tcb\":{\"isvsvn\":2},\"tcbDate\":\"2023-08-09T00:00:00Z\",\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"INTEL-SA-MOD\"]}]}],"
        + "\"tcbLevels\":["
        + "{\"tcb\":{\"sgxtcbcomponents\":" + sgxUp + ",\"pcesvn\":13,\"tdxtcbcomponents\":" + tdx + "},\"tcbDate\":\"2024-11-13T00:00:00Z\",\"tcbStatus\":\"" + platformUpToDateStatus + "\"" + (platformUpToDateStatus.equals("UpToDate") ? "" : ",\"advisoryIDs\":[\"INTEL-SA-00001\"]") + "},"
        + "{\"tcb\":{\"sgxtcbcomponents\":" + sgxOld + ",\"pcesvn\":13,\"tdxtcbcomponents\":" + tdx + "},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"INTEL-SA-01036\",\"INTEL-SA-01079\"]},"
        + "{\"tcb\":{\"sgxtcbcomponents\":" + sgxRevoked + ",\"pcesvn\":5,\"tdxtcbcomponents\":" + tdx + "},\"tcbDate\":\"2018-01-04T00:00:00Z\",\"tcbStatus\":\"Revoked\",\"advisoryIDs\":[\"INTEL-SA-00106\"]}"
        + "]}";
  }

  private static String comps(int[] svns) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < svns.length; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"svn\":").append(svns[i]).append('}');
    }
    return sb.append(']').toString();
  }

  String qeIdentityJson() {
    return "{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"" + now.minus(10, ChronoUnit.DAYS) + "\",\"nextUpdate\":\""
        + now.plus(20, ChronoUnit.DAYS) + "\",\"tcbEvaluationDataNumber\":18,\"miscselect\":\"00000000\","
        + "\"miscselectMask\":\"FFFFFFFF\",\"attributes\":\"11000000000000000000000000000000\","
        + "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\""
        + HexFormat.of().withUpperCase().formatHex(QE_MRSIGNER) + "\",\"isvprodid\":2,\"tcbLevels\":["
        + "{\"tcb\":{\"isvsvn\":8},\"tcbDate\":\"2024-11-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
        + "{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"INTEL-SA-QE\"]}]}";
  }

  TdxCollateral collateral() throws Exception {
    certs();
    byte[] tcb = tcbInfoJson().getBytes(StandardCharsets.UTF_8);
    byte[] qe = qeIdentityJson().getBytes(StandardCharsets.UTF_8);
    byte[] tcbSignedBytes = prettyTcbInfo ? tcbInfoJson().replace(", ", ",").getBytes(StandardCharsets.UTF_8) : tcb;
    return TdxCollateral.builder()
        .rootCaCrl(crl(root, "CN=Intel SGX Root CA" + O, revokedByRoot))
        .pckCrl(crl(pckCa, "CN=Intel SGX PCK Platform CA" + O, revokedByPckCa))
        .pckCrlIssuerChain(pem(pckCaCert, rootCert))
        .tcbInfo(tcb, rawSign(tcbInfoSignedByPck ? pck : tcbSigner, tcbSignedBytes))
        .tcbInfoIssuerChain(tcbInfoSignedByPck ? pem(pckCert, pckCaCert, rootCert) : pem(tcbCert, rootCert))
        .qeIdentity(qe, rawSign(tcbSigner, qe))
        .qeIdentityIssuerChain(pem(tcbCert, rootCert))
        .build();
  }

  byte[] quote() throws Exception {
    certs();
    ByteBuffer q = ByteBuffer.allocate(100_000).order(ByteOrder.LITTLE_ENDIAN);
    q.putShort((short) 4).putShort((short) 2).putInt(0x81).putShort((short) 0).putShort((short) 0);
    q.put(HexFormat.of().parseHex("939a7233f79c4ca9940a0db3957f0607")).put(new byte[20]);
    q.put(teeTcbSvn).put(filled(48, 0x5e)).put(mrSignerSeam).put(new byte[8]);
    q.putLong(tdAttributes).put(HexFormat.of().parseHex("e702060000000000"));
    q.put(filled(48, 0x7d)); // mr_td
    q.put(new byte[48 * 3]); // config id, owner, owner config
    for (int i = 0; i < 4; i++) {
      q.put(filled(48, 0x10 + i));
    }
    q.put(filled(64, 0x42)); // report_data
    int signed = q.position();
    byte[] signedRegion = Arrays.copyOf(q.array(), signed);

    byte[] akXy = xy((ECPublicKey) ak.getPublic());
    ByteBuffer qe = ByteBuffer.allocate(384).order(ByteOrder.LITTLE_ENDIAN);
    qe.put(new byte[16]).putInt(0).put(new byte[28]);
    qe.put(HexFormat.of().parseHex("11000000000000000000000000000000"));
    qe.put(filled(32, 0x33)).put(new byte[32]).put(qeMrSigner).put(new byte[96]);
    qe.putShort((short) 2).putShort((short) qeIsvSvn).put(new byte[60]);
    byte[] rd = new byte[64];
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(akXy);
    md.update(qeAuthData);
    System.arraycopy(md.digest(), 0, rd, 0, 32);
    qe.put(qeReportDataOverride != null ? qeReportDataOverride : rd);
    byte[] qeReport = qe.array();
    byte[] chain = (pem(pckCert, pckCaCert, rootCert) + "\0").getBytes(StandardCharsets.US_ASCII);

    ByteBuffer cert = ByteBuffer.allocate(384 + 64 + 2 + qeAuthData.length + 6 + chain.length).order(ByteOrder.LITTLE_ENDIAN);
    cert.put(qeReport).put(rawSign(pck, qeReport)).putShort((short) qeAuthData.length).put(qeAuthData);
    cert.putShort((short) 5).putInt(chain.length).put(chain);
    byte[] certData = cert.array();

    q.putInt(64 + 64 + 6 + certData.length);
    q.put(rawSign(ak, signedRegion)).put(akXy).putShort((short) 6).putInt(certData.length).put(certData);
    q.put(new byte[17]); // trailing bytes, ignored
    return Arrays.copyOf(q.array(), q.position());
  }

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static byte[] xy(ECPublicKey k) {
    byte[] out = new byte[64];
    put32(out, 0, k.getW().getAffineX());
    put32(out, 32, k.getW().getAffineY());
    return out;
  }

  private static void put32(byte[] out, int off, BigInteger v) {
    byte[] b = v.toByteArray();
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, off + 32 - n, n);
  }

  static byte[] rawSign(KeyPair k, byte[] msg) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(k.getPrivate());
    s.update(msg);
    return s.sign();
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
