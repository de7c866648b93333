package org.attest4j.tdx;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The Intel SGX extension values of a PCK leaf certificate (OID 1.2.840.113741.1.13.1): the
 * platform's FMSPC, PCE id, PCESVN and CPUSVN components used for TCB-level matching, plus PPID and
 * the issuing CA type.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PckCertificateInfo {
  static final ASN1ObjectIdentifier SGX_EXTENSIONS = new ASN1ObjectIdentifier("1.2.840.113741.1.13.1");

  private final Bytes ppid;
  private final int[] cpuSvnComponents;
  private final int pceSvn;
  private final Bytes cpuSvn;
  private final Bytes pceId;
  private final Bytes fmspc;
  private final int sgxType;
  private final Bytes platformInstanceId;
  private final String issuerCn;
  private final Instant notBefore;
  private final Instant notAfter;
  private final BigInteger serial;

  private PckCertificateInfo(Builder b) {
    this.ppid = b.ppid;
    this.cpuSvnComponents = b.comps;
    this.pceSvn = b.pceSvn;
    this.cpuSvn = b.cpuSvn;
    this.pceId = b.pceId;
    this.fmspc = b.fmspc;
    this.sgxType = b.sgxType;
    this.platformInstanceId = b.platformInstanceId;
    this.issuerCn = b.issuerCn;
    this.notBefore = b.notBefore;
    this.notAfter = b.notAfter;
    this.serial = b.serial;
  }

  private static final class Builder {
    Bytes ppid;
    int[] comps;
    int pceSvn = -1;
    Bytes cpuSvn;
    Bytes pceId;
    Bytes fmspc;
    int sgxType = -1;
    Bytes platformInstanceId;
    String issuerCn;
    Instant notBefore;
    Instant notAfter;
    BigInteger serial;
  }

  static PckCertificateInfo of(Pki.Cert leaf) throws VerificationException {
    Extension ext = Pki.extension(leaf, SGX_EXTENSIONS);
    if (ext == null) {
      throw bad("PCK certificate has no Intel SGX extension (1.2.840.113741.1.13.1)");
    }
    Builder b = new Builder();
    b.issuerCn = leaf.issuerCn();
    b.notBefore = leaf.notBefore;
    b.notAfter = leaf.notAfter;
    b.serial = leaf.serial;
    try {
      ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(ext.getExtnValue().getOctets()));
      for (ASN1Encodable e : seq) {
        ASN1Sequence kv = ASN1Sequence.getInstance(e);
        if (kv.size() != 2) {
          throw bad("SGX extension entry is not {OID, value}");
        }
        String oid = ASN1ObjectIdentifier.getInstance(kv.getObjectAt(0)).getId();
        ASN1Encodable v = kv.getObjectAt(1);
        switch (oid) {
          case "1.2.840.113741.1.13.1.1":
            b.ppid = octets(v, 16, "PPID");
            break;
          case "1.2.840.113741.1.13.1.2":
            parseTcb(ASN1Sequence.getInstance(v), b);
            break;
          case "1.2.840.113741.1.13.1.3":
            b.pceId = octets(v, 2, "PCE-ID");
            break;
          case "1.2.840.113741.1.13.1.4":
            b.fmspc = octets(v, 6, "FMSPC");
            break;
          case "1.2.840.113741.1.13.1.5":
            b.sgxType = ASN1Enumerated.getInstance(v).intValueExact();
            break;
          case "1.2.840.113741.1.13.1.6":
            b.platformInstanceId = octets(v, 16, "PlatformInstanceID");
            break;
          default:
            break; // .7 Configuration and future entries are informational
        }
      }
    } catch (VerificationException e) {
      throw e;
    } catch (java.io.IOException | RuntimeException e) {
      throw new VerificationException(
          TdxReason.PCK_EXTENSIONS_INVALID, "PCK certificate SGX extension is malformed: " + e.getMessage(), e);
    }
    if (b.ppid == null || b.comps == null || b.pceSvn < 0 || b.cpuSvn == null || b.pceId == null
        || b.fmspc == null || b.sgxType < 0) {
      throw bad("PCK certificate SGX extension lacks PPID, TCB, PCE-ID, FMSPC or SGX type");
    }
    return new PckCertificateInfo(b);
  }

  private static void parseTcb(ASN1Sequence tcb, Builder b) throws VerificationException {
    int[] comps = new int[16];
    boolean[] seen = new boolean[16];
    for (ASN1Encodable e : tcb) {
      ASN1Sequence kv = ASN1Sequence.getInstance(e);
      if (kv.size() != 2) {
        throw bad("SGX TCB entry is not {OID, value}");
      }
      String oid = ASN1ObjectIdentifier.getInstance(kv.getObjectAt(0)).getId();
      String prefix = "1.2.840.113741.1.13.1.2.";
      if (!oid.startsWith(prefix)) {
        continue;
      }
      int idx;
      try {
        idx = Integer.parseInt(oid.substring(prefix.length()));
      } catch (NumberFormatException ex) {
        continue;
      }
      ASN1Encodable v = kv.getObjectAt(1);
      if (idx >= 1 && idx <= 16) {
        comps[idx - 1] = svn(v, 255, "CPUSVN component " + idx);
        seen[idx - 1] = true;
      } else if (idx == 17) {
        b.pceSvn = svn(v, 65535, "PCESVN");
      } else if (idx == 18) {
        b.cpuSvn = octets(v, 16, "CPUSVN");
      }
    }
    for (int i = 0; i < 16; i++) {
      if (!seen[i]) {
        throw bad("PCK certificate TCB lacks CPUSVN component " + (i + 1));
      }
    }
    b.comps = comps;
  }

  private static int svn(ASN1Encodable v, int max, String what) throws VerificationException {
    BigInteger x = ASN1Integer.getInstance(v).getValue();
    if (x.signum() < 0 || x.compareTo(BigInteger.valueOf(max)) > 0) {
      throw bad("PCK certificate " + what + " = " + x + " is out of range");
    }
    return x.intValue();
  }

  private static Bytes octets(ASN1Encodable v, int len, String what) throws VerificationException {
    byte[] o = ASN1OctetString.getInstance(v).getOctets();
    if (o.length != len) {
      throw bad("PCK certificate " + what + " is " + o.length + " bytes, expected " + len);
    }
    return Bytes.of(o);
  }

  private static VerificationException bad(String msg) {
    return new VerificationException(TdxReason.PCK_EXTENSIONS_INVALID, msg);
  }

  /**
   * FMSPC (6 bytes): family-model-stepping-platform-custom SKU, selects the TCB info.
   *
   * @return FMSPC (6 bytes): family-model-stepping-platform-custom SKU, selects the TCB info
   */
  public Bytes fmspc() {
    return fmspc;
  }

  /**
   * PCE id (2 bytes).
   *
   * @return PCE id (2 bytes)
   */
  public Bytes pceId() {
    return pceId;
  }

  /**
   * PCESVN of the platform's TCB.
   *
   * @return PCESVN of the platform's TCB
   */
  public int pceSvn() {
    return pceSvn;
  }

  /**
   * CPUSVN (16 bytes).
   *
   * @return CPUSVN (16 bytes)
   */
  public Bytes cpuSvn() {
    return cpuSvn;
  }

  /**
   * The 16 CPUSVN component SVNs (extensions .2.1 to .2.16).
   *
   * @return the 16 CPUSVN component SVNs (extensions .2.1 to .2.16)
   */
  public List<Integer> cpuSvnComponents() {
    List<Integer> l = new ArrayList<>(16);
    for (int c : cpuSvnComponents) {
      l.add(c);
    }
    return List.copyOf(l);
  }

  int cpuSvnComponent(int i) {
    return cpuSvnComponents[i];
  }

  /**
   * PPID (16 bytes), the platform provisioning id.
   *
   * @return PPID (16 bytes), the platform provisioning id
   */
  public Bytes ppid() {
    return ppid;
  }

  /**
   * SGX type: 0 standard, 1 scalable, 2 scalable with integrity.
   *
   * @return SGX type: 0 standard, 1 scalable, 2 scalable with integrity
   */
  public int sgxType() {
    return sgxType;
  }

  /**
   * Platform instance id (Platform-CA certificates only).
   *
   * @return platform instance id (Platform-CA certificates only)
   */
  public Optional<Bytes> platformInstanceId() {
    return Optional.ofNullable(platformInstanceId);
  }

  /**
   * The issuer CN: "Intel SGX PCK Platform CA" or "Intel SGX PCK Processor CA".
   *
   * @return the issuer CN: "Intel SGX PCK Platform CA" or "Intel SGX PCK Processor CA"
   */
  public String issuerCn() {
    return issuerCn;
  }

  /**
   * "platform" or "processor" (the PCS {@code ca} parameter for the PCK CRL), else "unknown".
   *
   * @return "platform" or "processor" (the PCS {@code ca} parameter for the PCK CRL), else
   *     "unknown"
   */
  public String caType() {
    if (issuerCn.contains("Platform")) {
      return "platform";
    }
    if (issuerCn.contains("Processor")) {
      return "processor";
    }
    return "unknown";
  }

  /**
   * Start of the PCK certificate validity.
   *
   * @return start of the PCK certificate validity
   */
  public Instant notBefore() {
    return notBefore;
  }

  /**
   * End of the PCK certificate validity.
   *
   * @return end of the PCK certificate validity
   */
  public Instant notAfter() {
    return notAfter;
  }

  /**
   * Serial number of the PCK certificate.
   *
   * @return serial number of the PCK certificate
   */
  public BigInteger serialNumber() {
    return serial;
  }

  @Override
  public String toString() {
    return "PckCertificateInfo[fmspc=" + fmspc + ", pceid=" + pceId + ", pcesvn=" + pceSvn
        + ", cpusvn=" + HexFormat.of().formatHex(cpuSvn.toByteArray()) + ", ca=" + caType() + "]";
  }
}
