package org.attest4j.ratls;

import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * The hardware half of a dstack attestation (V1 {@code platform}, adjacently tagged by {@link
 * #kind()}). Every implementation is an immutable, thread-safe record.
 */
public sealed interface PlatformEvidence
    permits PlatformEvidence.Tdx,
        PlatformEvidence.GcpTdx,
        PlatformEvidence.NitroEnclave,
        PlatformEvidence.AwsNitroTpm,
        PlatformEvidence.SevSnp {

  /**
   * The V1 tag of this platform.
   *
   * @return {@code "tdx"}, {@code "gcp-tdx"}, {@code "nitro-enclave"}, {@code "aws-nitro-tpm"} or
   *     {@code "sev-snp"}
   */
  String kind();

  /**
   * An Intel TDX quote with its event log.
   *
   * @param quote the DCAP quote bytes
   * @param eventLog the platform event log (stripped in certificates)
   */
  record Tdx(Bytes quote, List<TdxEvent> eventLog) implements PlatformEvidence {
    /**
     * Copies the event log.
     *
     * @param quote quote bytes
     * @param eventLog event log
     */
    public Tdx {
      Objects.requireNonNull(quote, "quote");
      eventLog = List.copyOf(eventLog);
    }

    @Override
    public String kind() {
      return "tdx";
    }
  }

  /**
   * A TDX quote plus a GCP vTPM quote.
   *
   * @param quote the DCAP quote bytes
   * @param eventLog the platform event log
   * @param tpmQuote the vTPM quote
   */
  record GcpTdx(Bytes quote, List<TdxEvent> eventLog, TpmQuote tpmQuote)
      implements PlatformEvidence {
    /**
     * Copies the event log.
     *
     * @param quote quote bytes
     * @param eventLog event log
     * @param tpmQuote vTPM quote
     */
    public GcpTdx {
      Objects.requireNonNull(quote, "quote");
      eventLog = List.copyOf(eventLog);
      Objects.requireNonNull(tpmQuote, "tpmQuote");
    }

    @Override
    public String kind() {
      return "gcp-tdx";
    }
  }

  /**
   * An AWS Nitro Enclave NSM attestation document (COSE_Sign1).
   *
   * @param nsmQuote the COSE_Sign1 bytes
   */
  record NitroEnclave(Bytes nsmQuote) implements PlatformEvidence {
    /**
     * Checks the component.
     *
     * @param nsmQuote COSE_Sign1 bytes
     */
    public NitroEnclave {
      Objects.requireNonNull(nsmQuote, "nsmQuote");
    }

    @Override
    public String kind() {
      return "nitro-enclave";
    }
  }

  /**
   * An AWS NitroTPM attestation document (COSE_Sign1).
   *
   * @param attestationDoc the COSE_Sign1 bytes
   */
  record AwsNitroTpm(Bytes attestationDoc) implements PlatformEvidence {
    /**
     * Checks the component.
     *
     * @param attestationDoc COSE_Sign1 bytes
     */
    public AwsNitroTpm {
      Objects.requireNonNull(attestationDoc, "attestationDoc");
    }

    @Override
    public String kind() {
      return "aws-nitro-tpm";
    }
  }

  /**
   * An AMD SEV-SNP report with its certificates and dstack's MrConfigV3 document.
   *
   * @param report the 1184-byte attestation report (not checked here)
   * @param certChain certificates: empty, [ASK, VCEK] as PEM or DER, or a certificate table
   * @param mrConfig the MrConfigV3 JSON document exactly as received (HOST_DATA binds these bytes)
   */
  record SevSnp(Bytes report, List<Bytes> certChain, String mrConfig) implements PlatformEvidence {
    /**
     * Copies the chain.
     *
     * @param report report bytes
     * @param certChain certificates
     * @param mrConfig MrConfigV3 document
     */
    public SevSnp {
      Objects.requireNonNull(report, "report");
      certChain = List.copyOf(certChain);
      Objects.requireNonNull(mrConfig, "mrConfig");
    }

    @Override
    public String kind() {
      return "sev-snp";
    }
  }
}
