package org.attest4j.tdx.pcs;

import java.util.HexFormat;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxReason;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;

/**
 * What the PCS lookups need from a quote's PCK leaf certificate: the FMSPC (SGX extension
 * 1.2.840.113741.1.13.1, entry .4) and the issuing PCK CA (issuer CN "Intel SGX PCK Platform CA"
 * or "... Processor CA"), read as {@link org.attest4j.tdx.PckCertificateInfo} reads them. The
 * certificate is not verified here: these values only select which collateral to fetch; {@link
 * org.attest4j.tdx.TdxVerifier} verifies the PCK chain and refuses TCB info whose FMSPC differs
 * from the verified certificate's. Immutable and thread-safe. Internal.
 *
 * @param fmspc 12 uppercase hex digits
 * @param ca the PCK CA
 */
record PckLeaf(String fmspc, PcsClient.PckCa ca) {
  private static final ASN1ObjectIdentifier SGX_EXTENSIONS = new ASN1ObjectIdentifier("1.2.840.113741.1.13.1");
  private static final String FMSPC_OID = "1.2.840.113741.1.13.1.4";

  /** From the quote's PCK certificate chain (leaf first). */
  static PckLeaf of(TdxQuote quote) throws AttestationException {
    var ders = quote.pckCertificatesDer();
    if (ders.isEmpty()) {
      throw new VerificationException(TdxReason.CERT_CHAIN_INVALID, "the quote carries no PCK certificate");
    }
    return of(ders.get(0));
  }

  /** From a PCK leaf certificate (DER). */
  static PckLeaf of(Bytes leafDer) throws VerificationException {
    Certificate cert;
    try {
      cert = Certificate.getInstance(ASN1Primitive.fromByteArray(leafDer.toByteArray()));
    } catch (java.io.IOException | RuntimeException e) {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID, "the quote's PCK leaf certificate is not DER X.509: " + e.getMessage(), e);
    }
    String fmspc;
    String issuer;
    try {
      fmspc = fmspc(cert.getTBSCertificate().getExtensions());
      issuer = cn(cert.getIssuer());
    } catch (VerificationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new VerificationException(
          TdxReason.PCK_EXTENSIONS_INVALID, "PCK certificate SGX extension is malformed: " + e.getMessage(), e);
    }
    PcsClient.PckCa ca;
    if (issuer.contains("Platform")) {
      ca = PcsClient.PckCa.PLATFORM;
    } else if (issuer.contains("Processor")) {
      ca = PcsClient.PckCa.PROCESSOR;
    } else {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID,
          "PCK certificate issuer '" + issuer + "' is neither the Intel SGX PCK Platform CA nor the Processor CA");
    }
    return new PckLeaf(fmspc, ca);
  }

  private static String fmspc(Extensions extensions) throws VerificationException {
    Extension ext = extensions == null ? null : extensions.getExtension(SGX_EXTENSIONS);
    if (ext == null) {
      throw new VerificationException(
          TdxReason.PCK_EXTENSIONS_INVALID, "PCK certificate has no Intel SGX extension (1.2.840.113741.1.13.1)");
    }
    ASN1Sequence seq;
    try {
      seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(ext.getExtnValue().getOctets()));
    } catch (java.io.IOException e) {
      throw new VerificationException(TdxReason.PCK_EXTENSIONS_INVALID, "PCK certificate SGX extension is not DER", e);
    }
    for (ASN1Encodable e : seq) {
      ASN1Sequence kv = ASN1Sequence.getInstance(e);
      if (kv.size() == 2 && FMSPC_OID.equals(ASN1ObjectIdentifier.getInstance(kv.getObjectAt(0)).getId())) {
        byte[] v = ASN1OctetString.getInstance(kv.getObjectAt(1)).getOctets();
        if (v.length != 6) {
          throw new VerificationException(
              TdxReason.PCK_EXTENSIONS_INVALID, "PCK certificate FMSPC is " + v.length + " bytes, expected 6");
        }
        return HexFormat.of().withUpperCase().formatHex(v);
      }
    }
    throw new VerificationException(TdxReason.PCK_EXTENSIONS_INVALID, "PCK certificate SGX extension has no FMSPC");
  }

  private static String cn(X500Name name) {
    RDN[] rdns = name.getRDNs(BCStyle.CN);
    return rdns.length == 0 ? name.toString() : IETFUtils.valueToString(rdns[0].getFirst().getValue());
  }
}
