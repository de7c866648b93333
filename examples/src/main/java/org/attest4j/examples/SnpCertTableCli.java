package org.attest4j.examples;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.attest4j.core.AttestationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SnpTrustAnchor;
import org.attest4j.snp.kds.KdsClient;

/**
 * The certificate-table side of {@code attest4j snp show|verify --cert-table}: listing entries, and
 * completing a table that holds only the VCEK/VLEK with the ASK/ARK chain from {@code --chain} or
 * from AMD KDS (or its cache). Stateless.
 */
final class SnpCertTableCli {
  private SnpCertTableCli() {}

  /** Where the ASK/ARK of a verification came from. */
  record Chain(byte[] pem, String source) {}

  /** One JSON object per entry: index, GUID, type, encoding, length and, for certificates, names and validity. */
  static JsonArray entries(SnpCertTable table) {
    JsonArray a = new JsonArray();
    int i = 0;
    for (SnpCertTable.Entry e : table.entries()) {
      JsonObject o = new JsonObject();
      o.addProperty("index", i++);
      o.addProperty("guid", e.guid().toString());
      o.addProperty("type", e.type().name());
      byte[] raw = e.data().toByteArray();
      o.addProperty("encoding", new String(raw, StandardCharsets.ISO_8859_1).contains("-----BEGIN ") ? "PEM" : "DER");
      o.addProperty("length", raw.length);
      try {
        byte[] der = e.der();
        o.addProperty("sha256", SnpJson.sha256(der));
        if (e.type() == SnpCertTable.EntryType.CRL) {
          X509CRL crl = crl(der);
          o.addProperty("issuer_cn", cn(crl.getIssuerX500Principal().getName()));
          o.addProperty("this_update", SnpJson.time(crl.getThisUpdate().toInstant()));
          o.addProperty("revoked", crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size());
        } else if (e.type() != SnpCertTable.EntryType.OTHER) {
          X509Certificate c = cert(der);
          o.addProperty("subject_cn", cn(c.getSubjectX500Principal().getName()));
          o.addProperty("issuer_cn", cn(c.getIssuerX500Principal().getName()));
          o.addProperty("serial", c.getSerialNumber().toString());
          o.addProperty("not_before", SnpJson.time(c.getNotBefore().toInstant()));
          o.addProperty("not_after", SnpJson.time(c.getNotAfter().toInstant()));
        }
      } catch (MalformedEvidenceException | CertificateException | CRLException | RuntimeException ex) {
        o.addProperty("error", ex.getMessage());
      }
      a.add(o);
    }
    return a;
  }

  /**
   * The ASK/ARK chain to complete {@code table} with: none needed when the table has both entries;
   * else {@code chainFile}'s bytes; else the KDS {@code cert_chain} for the report's product (from its
   * CPUID, {@code --product}, or the VCEK/VLEK issuer), verified against the pinned ARK by the client.
   */
  static Chain chainFor(
      SnpCertTable table, SnpReport report, Product forced, byte[] chainFile, String kdsUrl, Path cache, boolean offline)
      throws AttestationException, SnpCommand.UsageError {
    if (table.ask().isPresent() && table.ark().isPresent()) {
      return new Chain(null, "certificate table");
    }
    if (chainFile != null) {
      return new Chain(chainFile, "--chain");
    }
    SigningKey key = report.keyInfo().signingKey() == SigningKey.VLEK ? SigningKey.VLEK : SigningKey.VCEK;
    Product p = report.product().orElse(forced);
    if (p == null) {
      p = productFromVek(table, key).orElse(null);
    }
    if (p == null) {
      throw new MalformedEvidenceException(
          org.attest4j.snp.SnpReason.UNKNOWN_PRODUCT,
          "the certificate table holds no ASK/ARK and the product for the KDS cert_chain is unknown"
              + " (v2 report, unreadable " + key + " issuer): pass --product or --chain");
    }
    KdsClient.Builder b = KdsClient.builder().offline(offline).checkValidity(false);
    if (kdsUrl != null) {
      try {
        b.baseUri(URI.create(kdsUrl));
      } catch (IllegalArgumentException e) {
        throw new SnpCommand.UsageError("bad --kds-url '" + kdsUrl + "': " + e.getMessage());
      }
    }
    if (cache != null) {
      b.cacheDirectory(cache);
    }
    KdsClient kds = b.build();
    byte[] pem = kds.certChainPem(p, key);
    return new Chain(pem, (offline ? "KDS cache " : "KDS ") + kds.certChainUri(p, key));
  }

  private static Optional<Product> productFromVek(SnpCertTable table, SigningKey key) {
    Optional<SnpCertTable.Entry> e =
        table.entry(key == SigningKey.VLEK ? SnpCertTable.EntryType.VLEK : SnpCertTable.EntryType.VCEK);
    if (e.isEmpty()) {
      return Optional.empty();
    }
    try {
      String issuer = cn(cert(e.get().der()).getIssuerX500Principal().getName());
      String name = issuer.startsWith("SEV-VLEK-") ? issuer.substring(9) : issuer.startsWith("SEV-") ? issuer.substring(4) : "";
      return Product.fromName(name);
    } catch (MalformedEvidenceException | CertificateException | RuntimeException ex) {
      return Optional.empty();
    }
  }

  /** What {@code --crl} contributed to a successful verification, for {@code --json}. */
  static JsonObject crlSummary(byte[] derOrPem, Path file) {
    JsonObject o = new JsonObject();
    o.addProperty("file", file.toString());
    o.addProperty("checked", true);
    try {
      X509CRL crl = crl(derOrPem);
      o.addProperty("issuer_cn", cn(crl.getIssuerX500Principal().getName()));
      o.addProperty("this_update", SnpJson.time(crl.getThisUpdate().toInstant()));
      if (crl.getNextUpdate() != null) {
        o.addProperty("next_update", SnpJson.time(crl.getNextUpdate().toInstant()));
      }
      o.addProperty("revoked_entries", crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size());
      o.addProperty("sha256", SnpJson.sha256(crl.getEncoded()));
    } catch (CRLException | CertificateException | RuntimeException e) {
      o.addProperty("error", e.getMessage()); // unreachable after the verifier accepted it
    }
    return o;
  }

  /**
   * A trust anchor for an extra ARK ({@code --trust-ark}): its product is {@code forced} or the one
   * its CN names ({@code ARK-<product>}).
   */
  static SnpTrustAnchor trustAnchor(byte[] derOrPem, Product forced)
      throws AttestationException, SnpCommand.UsageError {
    Product p = forced;
    if (p == null) {
      try {
        String cn = cn(cert(derOrPem).getSubjectX500Principal().getName());
        p = cn.startsWith("ARK-") ? Product.fromName(cn.substring(4)).orElse(null) : null;
      } catch (CertificateException | RuntimeException e) {
        p = null; // the anchor parser below names the problem, or --product is asked for
      }
    }
    if (p == null) {
      SnpTrustAnchor.ofCertificate(Product.MILAN, derOrPem); // a certificate that does not decode is refused
      throw new SnpCommand.UsageError("--trust-ark: the ARK's CN names no product (ARK-Milan, ARK-Genoa, ARK-Turin);"
          + " pass --product");
    }
    return SnpTrustAnchor.ofCertificate(p, derOrPem);
  }

  private static X509Certificate cert(byte[] der) throws CertificateException {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  private static X509CRL crl(byte[] derOrPem) throws CertificateException, CRLException {
    return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(derOrPem));
  }

  private static String cn(String rfc2253) {
    try {
      for (Rdn r : new LdapName(rfc2253).getRdns()) {
        if (r.getType().equalsIgnoreCase("CN")) {
          return r.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      // fall through
    }
    return rfc2253;
  }
}
