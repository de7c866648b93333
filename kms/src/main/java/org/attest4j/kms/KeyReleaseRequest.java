package org.attest4j.kms;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import static org.attest4j.kms.RequestFields.capped;
import static org.attest4j.kms.RequestFields.hex;
import static org.attest4j.kms.RequestFields.tooLarge;

import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.kms.proto.OvmfSection;

/**
 * One guest's key request: the SEV-SNP report and its endorsements, the identity and launch shape
 * the guest claims, and its freshness proof. Nothing in here is trusted: {@link KeyReleaseService}
 * checks every claim against the report and the KMS's pinned configuration.
 *
 * <p>Byte-string fields are empty when absent. {@link #fromProto(GetAppKeyAmdRequest)} decodes
 * dstack's {@code GetAppKeyAmdRequest} (hex strings, sizes) and refuses malformed fields.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class KeyReleaseRequest {
  /** Upper bound on the report field (a report is 1184 bytes; the parser checks the exact size). */
  public static final int MAX_REPORT = 4096;
  /** Upper bound on each certificate field. */
  public static final int MAX_CERT = 16 * 1024;
  /** Upper bound on the MrConfigV3 document. */
  public static final int MAX_MR_CONFIG = 8 * 1024;
  /** Upper bound on the number of OVMF sections. */
  public static final int MAX_SECTIONS = 64;
  /** Upper bound on the vCPU type name. */
  public static final int MAX_NAME = 64;

  private static final byte[] DIGEST_LABEL = "attest4j-kms-request-v1".getBytes(StandardCharsets.US_ASCII);

  /**
   * An OVMF section as a PR #630 client describes it (informational; the KMS uses its pinned
   * firmware's own sections and refuses claims that differ).
   *
   * @param gpa guest physical address
   * @param size size in bytes
   * @param sectionType section type (1, 2, 3, 4 or 0x10)
   */
  public record ClaimedSection(long gpa, long size, int sectionType) {}

  private final Bytes report;
  private final Bytes askCert;
  private final Bytes vcekCert;
  private final Bytes appId;
  private final Bytes composeHash;
  private final Bytes rootfsHash;
  private final Bytes instanceId;
  private final Bytes dockerFilesHash;
  private final Bytes mrConfig;
  private final int vcpus;
  private final String vcpuType;
  private final Bytes claimedOvmfHash;
  private final Bytes claimedKernelHash;
  private final Bytes claimedInitrdHash;
  private final long claimedHashesTableGpa;
  private final long claimedResetEip;
  private final List<ClaimedSection> claimedSections;
  private final Bytes nonce;
  private final long requestTime;
  private final EnvelopeMode envelope;

  private KeyReleaseRequest(Builder b) {
    this.report = b.report;
    this.askCert = b.askCert;
    this.vcekCert = b.vcekCert;
    this.appId = b.appId;
    this.composeHash = b.composeHash;
    this.rootfsHash = b.rootfsHash;
    this.instanceId = b.instanceId;
    this.dockerFilesHash = b.dockerFilesHash;
    this.mrConfig = b.mrConfig;
    this.vcpus = b.vcpus;
    this.vcpuType = b.vcpuType;
    this.claimedOvmfHash = b.claimedOvmfHash;
    this.claimedKernelHash = b.claimedKernelHash;
    this.claimedInitrdHash = b.claimedInitrdHash;
    this.claimedHashesTableGpa = b.claimedHashesTableGpa;
    this.claimedResetEip = b.claimedResetEip;
    this.claimedSections = List.copyOf(b.claimedSections);
    this.nonce = b.nonce;
    this.requestTime = b.requestTime;
    this.envelope = b.envelope;
  }

  /**
   * A builder with every field empty.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Decodes dstack's {@code GetAppKeyAmdRequest} (with attest4j's additions).
   *
   * @param p the decoded protobuf message
   * @return the decoded request
   * @throws MalformedEvidenceException ({@link KmsReason#BAD_REQUEST} or {@link
   *     KmsReason#REQUEST_TOO_LARGE}) naming the first bad field
   */
  public static KeyReleaseRequest fromProto(GetAppKeyAmdRequest p) throws MalformedEvidenceException {
    Builder b = builder();
    b.report(Bytes.of(capped(p.getSnpReport(), MAX_REPORT, "snp_report")));
    b.askCert(Bytes.of(capped(p.getAskPem(), MAX_CERT, "ask_pem")));
    b.vcekCert(Bytes.of(capped(p.getVcekPem(), MAX_CERT, "vcek_pem")));
    b.appId(hex(p.getAppId(), "app_id", 20));
    b.composeHash(hex(p.getComposeHash(), "compose_hash", 32));
    b.rootfsHash(hex(p.getRootfsHash(), "rootfs_hash", 32));
    b.instanceId(hex(p.getInstanceId(), "instance_id", 20));
    b.dockerFilesHash(hex(p.getDockerFilesHash(), "docker_files_hash", 32));
    b.claimedOvmfHash(hex(p.getOvmfHash(), "ovmf_hash", 48));
    b.claimedKernelHash(hex(p.getKernelHash(), "kernel_hash", 32));
    b.claimedInitrdHash(hex(p.getInitrdHash(), "initrd_hash", 32));
    byte[] mr = p.getMrConfig().getBytes(StandardCharsets.UTF_8);
    if (mr.length > MAX_MR_CONFIG) {
      throw tooLarge("mr_config", mr.length, MAX_MR_CONFIG);
    }
    b.mrConfig(Bytes.of(mr));
    b.vcpus(p.getVcpus());
    if (p.getVcpuType().length() > MAX_NAME) {
      throw tooLarge("vcpu_type", p.getVcpuType().length(), MAX_NAME);
    }
    b.vcpuType(p.getVcpuType());
    b.claimedHashesTableGpa(p.getSevHashesTableGpa());
    b.claimedResetEip(Integer.toUnsignedLong(p.getSevEsResetEip()));
    if (p.getOvmfSectionsCount() > MAX_SECTIONS) {
      throw tooLarge("ovmf_sections", p.getOvmfSectionsCount(), MAX_SECTIONS);
    }
    for (OvmfSection s : p.getOvmfSectionsList()) {
      b.claimedSections.add(
          new ClaimedSection(
              Integer.toUnsignedLong(s.getGpa()), Integer.toUnsignedLong(s.getSize()), s.getSectionType()));
    }
    RequestFields.Freshness f =
        RequestFields.freshness(p.getNonce(), p.getRequestTime(), p.getEnvelope(), p.getEnvelopeValue());
    b.nonce(f.nonce());
    b.requestTime(f.requestTime());
    b.envelope = f.envelope();
    return b.build();
  }





  /**
   * The digest a guest puts (through {@code ReportData}'s tagged hashing) in report_data[32..64]
   * under {@link FreshnessMode#REQUEST_DIGEST}: SHA-256 of {@code "attest4j-kms-request-v1" || 0x00}
   * followed by, each as a 4-byte big-endian length then the bytes: app_id, compose_hash,
   * rootfs_hash, instance_id, docker_files_hash, mr_config, u32be(vcpus), vcpu_type (UTF-8),
   * u64be(request_time), u32be(envelope: 0 unspecified, 1 HPKE, 2 AES-SIV).
   *
   * @return the digest a guest puts (through {@code ReportData}'s tagged hashing) in report_data[32..64] under {@link FreshnessMode#REQUEST_DIGEST}
   */
  public Bytes requestDigest() {
    return RequestFields.digest(DIGEST_LABEL, List.of(appId.toByteArray(), composeHash.toByteArray(),
        rootfsHash.toByteArray(), instanceId.toByteArray(), dockerFilesHash.toByteArray(), mrConfig.toByteArray(),
        ByteBuffer.allocate(4).putInt(vcpus).array(), vcpuType.getBytes(StandardCharsets.UTF_8)),
        requestTime, envelope);
  }


  /**
   * The raw report bytes.
   *
   * @return the raw report bytes
   */
  public Bytes report() {
    return report;
  }

  /**
   * The ASK (or ASVK) certificate, PEM or DER; empty if absent.
   *
   * @return the ASK (or ASVK) certificate, PEM or DER
   */
  public Bytes askCert() {
    return askCert;
  }

  /**
   * The VCEK (or VLEK) certificate, PEM or DER; empty if absent.
   *
   * @return the VCEK (or VLEK) certificate, PEM or DER
   */
  public Bytes vcekCert() {
    return vcekCert;
  }

  /**
   * The claimed app_id (20 bytes) or empty.
   *
   * @return the claimed app_id (20 bytes) or empty
   */
  public Bytes appId() {
    return appId;
  }

  /**
   * The claimed compose hash (32 bytes) or empty.
   *
   * @return the claimed compose hash (32 bytes) or empty
   */
  public Bytes composeHash() {
    return composeHash;
  }

  /**
   * The claimed rootfs hash (32 bytes) or empty.
   *
   * @return the claimed rootfs hash (32 bytes) or empty
   */
  public Bytes rootfsHash() {
    return rootfsHash;
  }

  /**
   * The claimed instance id (20 bytes) or empty.
   *
   * @return the claimed instance id (20 bytes) or empty
   */
  public Bytes instanceId() {
    return instanceId;
  }

  /**
   * The claimed docker-files hash (32 bytes) or empty.
   *
   * @return the claimed docker-files hash (32 bytes) or empty
   */
  public Bytes dockerFilesHash() {
    return dockerFilesHash;
  }

  /**
   * The MrConfigV3 document bytes, or empty.
   *
   * @return the MrConfigV3 document bytes, or empty
   */
  public Bytes mrConfig() {
    return mrConfig;
  }

  /**
   * The claimed vCPU count (0 if not claimed).
   *
   * @return the claimed vCPU count (0 if not claimed)
   */
  public int vcpus() {
    return vcpus;
  }

  /**
   * The claimed vCPU type name (empty if not claimed).
   *
   * @return the claimed vCPU type name (empty if not claimed)
   */
  public String vcpuType() {
    return vcpuType;
  }

  /**
   * The firmware digest the client claims (48 bytes) or empty; never used to compute.
   *
   * @return the firmware digest the client claims (48 bytes) or empty
   */
  public Bytes claimedOvmfHash() {
    return claimedOvmfHash;
  }

  /**
   * The kernel digest the client claims or empty; never used to compute.
   *
   * @return the kernel digest the client claims or empty
   */
  public Bytes claimedKernelHash() {
    return claimedKernelHash;
  }

  /**
   * The initrd digest the client claims or empty; never used to compute.
   *
   * @return the initrd digest the client claims or empty
   */
  public Bytes claimedInitrdHash() {
    return claimedInitrdHash;
  }

  /**
   * The kernel-hashes table GPA the client claims, or 0.
   *
   * @return the kernel-hashes table GPA the client claims, or 0
   */
  public long claimedHashesTableGpa() {
    return claimedHashesTableGpa;
  }

  /**
   * The AP reset EIP the client claims, or 0.
   *
   * @return the AP reset EIP the client claims, or 0
   */
  public long claimedResetEip() {
    return claimedResetEip;
  }

  /**
   * The OVMF sections the client claims (maybe empty).
   *
   * @return the OVMF sections the client claims (maybe empty)
   */
  public List<ClaimedSection> claimedSections() {
    return claimedSections;
  }

  /**
   * The KMS-issued nonce (32 bytes) or empty.
   *
   * @return the KMS-issued nonce (32 bytes) or empty
   */
  public Bytes nonce() {
    return nonce;
  }

  /**
   * The guest's request time in unix seconds (0 if not given).
   *
   * @return the guest's request time in unix seconds (0 if not given)
   */
  public long requestTime() {
    return requestTime;
  }

  /**
   * The envelope the guest asks for, if it asks for one.
   *
   * @return the envelope the guest asks for, if it asks for one
   */
  public Optional<EnvelopeMode> envelope() {
    return Optional.ofNullable(envelope);
  }

  @Override
  public String toString() {
    return "KeyReleaseRequest[appId=" + appId + ", composeHash=" + composeHash + ", instanceId=" + instanceId
        + ", vcpus=" + vcpus + ", vcpuType=" + vcpuType + ", mrConfig=" + mrConfig.length() + " bytes"
        + ", nonce=" + nonce + ", envelope=" + envelope + "]";
  }

  /** Builds a {@link KeyReleaseRequest}. Not thread-safe. */
  public static final class Builder {
    private Bytes report = Bytes.empty();
    private Bytes askCert = Bytes.empty();
    private Bytes vcekCert = Bytes.empty();
    private Bytes appId = Bytes.empty();
    private Bytes composeHash = Bytes.empty();
    private Bytes rootfsHash = Bytes.empty();
    private Bytes instanceId = Bytes.empty();
    private Bytes dockerFilesHash = Bytes.empty();
    private Bytes mrConfig = Bytes.empty();
    private int vcpus;
    private String vcpuType = "";
    private Bytes claimedOvmfHash = Bytes.empty();
    private Bytes claimedKernelHash = Bytes.empty();
    private Bytes claimedInitrdHash = Bytes.empty();
    private long claimedHashesTableGpa;
    private long claimedResetEip;
    private final List<ClaimedSection> claimedSections = new ArrayList<>();
    private Bytes nonce = Bytes.empty();
    private long requestTime;
    private EnvelopeMode envelope;

    private Builder() {}

    /**
     * The raw SEV-SNP report.
     *
     * @param v the raw SEV-SNP report
     * @return this builder
     */
    public Builder report(Bytes v) {
      this.report = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The raw SEV-SNP report.
     *
     * @param v the raw SEV-SNP report
     * @return this builder
     */
    public Builder report(byte[] v) {
      return report(Bytes.of(v));
    }

    /**
     * The ASK certificate (PEM or DER).
     *
     * @param v the ASK certificate (PEM or DER)
     * @return this builder
     */
    public Builder askCert(Bytes v) {
      this.askCert = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The VCEK certificate (PEM or DER).
     *
     * @param v the VCEK certificate (PEM or DER)
     * @return this builder
     */
    public Builder vcekCert(Bytes v) {
      this.vcekCert = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The claimed app_id.
     *
     * @param v the claimed app_id
     * @return this builder
     */
    public Builder appId(Bytes v) {
      this.appId = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The claimed compose hash.
     *
     * @param v the claimed compose hash
     * @return this builder
     */
    public Builder composeHash(Bytes v) {
      this.composeHash = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The claimed rootfs hash.
     *
     * @param v the claimed rootfs hash
     * @return this builder
     */
    public Builder rootfsHash(Bytes v) {
      this.rootfsHash = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The claimed instance id.
     *
     * @param v the claimed instance id
     * @return this builder
     */
    public Builder instanceId(Bytes v) {
      this.instanceId = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The claimed docker-files hash.
     *
     * @param v the claimed docker-files hash
     * @return this builder
     */
    public Builder dockerFilesHash(Bytes v) {
      this.dockerFilesHash = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The MrConfigV3 document bytes exactly as hashed into HOST_DATA.
     *
     * @param v the MrConfigV3 document bytes exactly as hashed into HOST_DATA
     * @return this builder
     */
    public Builder mrConfig(Bytes v) {
      this.mrConfig = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The MrConfigV3 document (UTF-8).
     *
     * @param v the MrConfigV3 document (UTF-8)
     * @return this builder
     */
    public Builder mrConfig(String v) {
      return mrConfig(Bytes.of(v.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The claimed vCPU count.
     *
     * @param v the claimed vCPU count
     * @return this builder
     */
    public Builder vcpus(int v) {
      this.vcpus = v;
      return this;
    }

    /**
     * The claimed vCPU type name, for example {@code "EPYC-v4"}.
     *
     * @param v the claimed vCPU type name, for example {@code "EPYC-v4"}
     * @return this builder
     */
    public Builder vcpuType(String v) {
      this.vcpuType = Objects.requireNonNull(v);
      return this;
    }

    /**
     * A firmware digest the client claims (checked against the pinned one, never used).
     *
     * @param v a firmware digest the client claims (checked against the pinned one, never used)
     * @return this builder
     */
    public Builder claimedOvmfHash(Bytes v) {
      this.claimedOvmfHash = Objects.requireNonNull(v);
      return this;
    }

    /**
     * A kernel digest the client claims (checked against the pinned one, never used).
     *
     * @param v a kernel digest the client claims (checked against the pinned one, never used)
     * @return this builder
     */
    public Builder claimedKernelHash(Bytes v) {
      this.claimedKernelHash = Objects.requireNonNull(v);
      return this;
    }

    /**
     * An initrd digest the client claims (checked against the pinned one, never used).
     *
     * @param v an initrd digest the client claims (checked against the pinned one, never used)
     * @return this builder
     */
    public Builder claimedInitrdHash(Bytes v) {
      this.claimedInitrdHash = Objects.requireNonNull(v);
      return this;
    }

    /**
     * A kernel-hashes table GPA the client claims.
     *
     * @param v a kernel-hashes table GPA the client claims
     * @return this builder
     */
    public Builder claimedHashesTableGpa(long v) {
      this.claimedHashesTableGpa = v;
      return this;
    }

    /**
     * An AP reset EIP the client claims.
     *
     * @param v an AP reset EIP the client claims
     * @return this builder
     */
    public Builder claimedResetEip(long v) {
      this.claimedResetEip = v;
      return this;
    }

    /**
     * Adds an OVMF section the client claims.
     *
     * @param s the claimed section
     * @return this builder
     */
    public Builder addClaimedSection(ClaimedSection s) {
      this.claimedSections.add(Objects.requireNonNull(s));
      return this;
    }

    /**
     * The KMS-issued nonce.
     *
     * @param v the KMS-issued nonce
     * @return this builder
     */
    public Builder nonce(Bytes v) {
      this.nonce = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The request time in unix seconds.
     *
     * @param v the request time in unix seconds
     * @return this builder
     */
    public Builder requestTime(long v) {
      this.requestTime = v;
      return this;
    }

    /**
     * The envelope the guest asks for.
     *
     * @param v the envelope the guest asks for
     * @return this builder
     */
    public Builder envelope(EnvelopeMode v) {
      this.envelope = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The request.
     *
     * @return the new {@code KeyReleaseRequest}
     */
    public KeyReleaseRequest build() {
      return new KeyReleaseRequest(this);
    }
  }
}
