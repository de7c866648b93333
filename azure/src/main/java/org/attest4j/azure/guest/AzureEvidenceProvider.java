package org.attest4j.azure.guest;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.attest4j.azure.AzureEvidence;
import org.attest4j.azure.AzurePlatform;
import org.attest4j.azure.AzureReason;
import org.attest4j.azure.HclReport;
import org.attest4j.azure.tpm.PcrSelection;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.azure.tpm.TpmQuote;
import org.attest4j.azure.tpm.TpmsAttest;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * Produces trustee's Azure evidence inside an Azure confidential VM: (v2 only) writes the nonce to NV
 * index 0x01400002 so the paravisor echoes it in the claims' {@code user-data}, reads the HCL report
 * from NV index 0x01400001, quotes SHA-256 PCR 0..23 with the AK (persistent handle 0x81000003) over
 * the nonce, reads the PCRs, and adds the VCEK (SNP) or a TD quote for the HCL's TD report (TDX) from
 * the instance metadata service.
 *
 * <p>Thread-safe if the {@link Tpm2} is used by this provider only; each call runs its commands under
 * the instance lock.
 */
public final class AzureEvidenceProvider {
  private static final Logger LOG = System.getLogger(AzureEvidenceProvider.class.getName());
  private static final PcrSelection ALL_SHA256 = PcrSelection.of(TpmHash.SHA256, new byte[] {-1, -1, -1});

  /** Where the VCEK comes from (SNP). */
  @FunctionalInterface
  public interface VcekSource {
    /**
     * The VCEK and optionally its ASK and ARK.
     *
     * @return DER certificates, VCEK first
     * @throws AttestationException if unavailable
     */
    List<Bytes> vcek() throws AttestationException;
  }

  /** Turns the TD report into a TD quote (TDX). */
  @FunctionalInterface
  public interface TdQuoteSource {
    /**
     * A TD quote for this TD report.
     *
     * @param tdReport 1024 bytes
     * @return the quote
     * @throws AttestationException if unavailable
     */
    byte[] quote(byte[] tdReport) throws AttestationException;
  }

  private final Tpm2 tpm;
  private final AzurePlatform platform;
  private final int version;
  private final int akHandle;
  private final VcekSource vcek;
  private final TdQuoteSource tdQuote;

  private AzureEvidenceProvider(Builder b) {
    this.tpm = b.tpm;
    this.platform = b.platform;
    this.version = b.version;
    this.akHandle = b.akHandle;
    AzureImds imds = AzureImds.of(AzureImds.DEFAULT_BASE);
    this.vcek = b.vcek != null ? b.vcek : imds::vcek;
    this.tdQuote = b.tdQuote != null ? b.tdQuote : imds::tdQuote;
  }

  /**
   * A builder.
   *
   * @param tpm the TPM (normally {@code Tpm2.openDevice(Path.of("/dev/tpmrm0"))})
   * @param platform the VM's platform
   * @return a builder (evidence v2, AK 0x81000003, IMDS for the VCEK and TD quote)
   */
  public static Builder builder(Tpm2 tpm, AzurePlatform platform) {
    return new Builder(Objects.requireNonNull(tpm, "tpm"), Objects.requireNonNull(platform, "platform"));
  }

  /**
   * Collects evidence over {@code nonce}.
   *
   * @param nonce the verifier's nonce, 1..64 bytes
   * @return the evidence
   * @throws AttestationException if the TPM, the NV indexes or IMDS fail
   */
  public synchronized AzureEvidence collect(byte[] nonce) throws AttestationException {
    MalformedEvidenceException.requirePresent(nonce, "nonce");
    if (nonce.length == 0 || nonce.length > TpmsAttest.MAX_EXTRA_DATA) {
      throw new MalformedEvidenceException(AzureReason.NONCE_MISMATCH,
          "the nonce is " + nonce.length + " bytes; a TPM quote takes 1..64");
    }
    if (version == 2) {
      if (tpm.nvSize(HclReport.USER_DATA_NV_INDEX) < 0) {
        tpm.nvDefine(HclReport.USER_DATA_NV_INDEX, 64);
      }
      tpm.nvWrite(HclReport.USER_DATA_NV_INDEX, Arrays.copyOf(nonce, 64));
    }
    byte[] hcl = tpm.nvRead(HclReport.NV_INDEX);
    Tpm2.Quote q = tpm.quote(akHandle, nonce, List.of(ALL_SHA256));
    List<Bytes> pcrs = tpm.pcrRead(ALL_SHA256);
    byte[] sig = q.signature().rsaSignature() == null ? null : q.signature().rsaSignature().toByteArray();
    if (sig == null || q.signature().hash() != TpmHash.SHA256) {
      throw new MalformedEvidenceException(AzureReason.BAD_TPM_STRUCTURE,
          "the AK signed with " + q.signature() + "; trustee evidence carries RSASSA-SHA256 signatures");
    }
    AzureEvidence.Builder b = AzureEvidence.builder().version(version).hclReport(hcl)
        .tpmQuote(TpmQuote.of(q.attest().toByteArray(), q.signature(), pcrs));
    if (platform == AzurePlatform.SNP) {
      b.vcek(vcek.vcek());
    } else {
      byte[] td = Arrays.copyOfRange(hcl, HclReport.HW_REPORT_OFFSET, HclReport.HW_REPORT_OFFSET + 1024);
      b.tdQuote(tdQuote.quote(td));
    }
    LOG.log(Level.DEBUG, "collected Azure {0} evidence v{1}: {2}-byte HCL report", platform, version, hcl.length);
    return b.build();
  }

  /**
   * Collects evidence and encodes it as trustee's JSON.
   *
   * @param nonce the verifier's nonce
   * @return the UTF-8 JSON
   * @throws AttestationException as {@link #collect}
   */
  public byte[] evidenceJson(byte[] nonce) throws AttestationException {
    return collect(nonce).toJson();
  }

  /** Configures a provider; not thread-safe. */
  public static final class Builder {
    private final Tpm2 tpm;
    private final AzurePlatform platform;
    private int version = 2;
    private int akHandle = Tpm2.AZURE_AK_HANDLE;
    private VcekSource vcek;
    private TdQuoteSource tdQuote;

    private Builder(Tpm2 tpm, AzurePlatform platform) {
      this.tpm = tpm;
      this.platform = platform;
    }

    /**
     * The evidence version: 2 writes the nonce to the user-data NV index first, 1 does not.
     *
     * @param version 1 or 2
     * @return this builder
     */
    public Builder version(int version) {
      if (version != 1 && version != 2) {
        throw new IllegalArgumentException("evidence version must be 1 or 2");
      }
      this.version = version;
      return this;
    }

    /**
     * The AK's persistent handle.
     *
     * @param handle default 0x81000003
     * @return this builder
     */
    public Builder akHandle(int handle) {
      this.akHandle = handle;
      return this;
    }

    /**
     * Where the VCEK comes from; default IMDS THIM.
     *
     * @param source the source
     * @return this builder
     */
    public Builder vcekSource(VcekSource source) {
      this.vcek = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Where the TD quote comes from; default IMDS.
     *
     * @param source the source
     * @return this builder
     */
    public Builder tdQuoteSource(TdQuoteSource source) {
      this.tdQuote = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * The provider.
     *
     * @return the provider
     */
    public AzureEvidenceProvider build() {
      return new AzureEvidenceProvider(this);
    }
  }
}
