package org.attest4j.kms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.kms.proto.GetAppKeyRequest;
import org.attest4j.kms.proto.GetKmsKeyRequest;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsVerdict;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.ratls.RuntimeEvent;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.tdx.DstackAppInfo;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.TdReport;

/**
 * Step 0 of dstack's {@code GetAppKey} over RA-TLS (spec dstack-ratls §5.1, §5.4): the TLS client
 * certificate's attestation, read and checked offline (extension, decoding, the binding of
 * report_data to the certificate key, and the consistency of the evidence with its stack), and the
 * request's {@code vm_config}, turned into the inputs of the SEV-SNP or Intel TDX key-release
 * steps (a SEV-SNP report with its MrConfigV3 document and launch shape; a TDX quote with the
 * attestation's runtime events, the RTMR3 replay input). The vendor signatures, policy,
 * measurement, identity and authorization are checked by {@link KeyReleaseService#releaseRatls}.
 * Immutable and thread-safe.
 */
public final class RatlsRequest {
  private static final RatlsVerifier OFFLINE =
      RatlsVerifier.builder(RatlsVerifier.Mode.RATLS_ONLY).build();

  private final KeyReleaseRequest snpRequest;
  private final Tdx tdx;
  private final Bytes expectedReportData;
  private final String platform;

  private RatlsRequest(KeyReleaseRequest snpRequest, Tdx tdx, Bytes expectedReportData,
      String platform) {
    this.snpRequest = snpRequest;
    this.tdx = tdx;
    this.expectedReportData = expectedReportData;
    this.platform = platform;
  }

  /**
   * The TDX inputs: the quote, the stack's runtime events (RTMR3 is replayed from these, spec
   * pitfall 6) and the vm_config naming the OS image.
   */
  record Tdx(Bytes quote, List<DstackRuntimeEvent> runtimeEvents, String vmConfig) {}

  /**
   * Reads a GetAppKey call: the client certificate the TLS layer accepted and the request body.
   *
   * @param clientCertificate the TLS client certificate, DER or PEM
   * @param request the {@code GetAppKeyRequest}
   * @return the decoded request
   * @throws AttestationException ({@link KmsReason#BAD_REQUEST} for the request; the RA-TLS reason
   *     for a certificate without a usable, bound attestation)
   */
  public static RatlsRequest decode(byte[] clientCertificate, GetAppKeyRequest request)
      throws AttestationException {
    MalformedEvidenceException.requirePresent(clientCertificate, "client certificate");
    Objects.requireNonNull(request, "request");
    if (Integer.toUnsignedLong(request.getApiVersion()) > 1) {
      throw new MalformedEvidenceException(KmsReason.BAD_REQUEST, "GetAppKey api_version "
          + Integer.toUnsignedString(request.getApiVersion()) + " is not supported (0 or 1)");
    }
    RatlsVerdict v = OFFLINE.verify(clientCertificate);
    if (!v.accepted()) {
      throw new VerificationException(v.reason().orElse(KmsReason.BAD_REQUEST),
          "the client certificate's attestation is unusable at "
              + v.rejectStage().map(RatlsVerifier.Stage::label).orElse("?") + ": "
              + v.message().orElse(""));
    }
    return fromAttestation(v.attestation().orElseThrow().attestation(), request.getVmConfig(),
        v.expectedReportData().orElseThrow());
  }

  /**
   * Reads a GetKmsKey call from a KMS replica: its TLS client certificate (whose attestation is
   * required) and the request's {@code vm_config}.
   *
   * @param clientCertificate the TLS client certificate, DER or PEM
   * @param request the {@code GetKmsKeyRequest}
   * @return the decoded request, for {@link KeyReleaseService#releaseKmsKeys}
   * @throws AttestationException the RA-TLS reason for a certificate without a usable, bound
   *     attestation
   */
  public static RatlsRequest decode(byte[] clientCertificate, GetKmsKeyRequest request)
      throws AttestationException {
    Objects.requireNonNull(request, "request");
    return decode(clientCertificate,
        GetAppKeyRequest.newBuilder().setApiVersion(1).setVmConfig(request.getVmConfig()).build());
  }

  /**
   * The SEV-SNP or TDX inputs of an attestation whose binding to {@code expectedReportData} was
   * checked by the caller (a client certificate's or a CSR's), with the request's vm_config (else
   * the attestation's config).
   */
  static RatlsRequest fromAttestation(org.attest4j.ratls.Attestation attestation,
      String requestVmConfig, Bytes expectedReportData) throws AttestationException {
    String vmConfigText = requestVmConfig;
    if (vmConfigText.isEmpty() && attestation.stack() instanceof StackEvidence.Dstack d) {
      vmConfigText = d.config();
    }
    if (vmConfigText.length() > DstackVmConfig.MAX_LENGTH) {
      throw new MalformedEvidenceException(KmsReason.REQUEST_TOO_LARGE,
          "vm_config is longer than " + DstackVmConfig.MAX_LENGTH + " characters");
    }
    if (attestation.platform() instanceof PlatformEvidence.Tdx t) {
      return tdx(t, attestation.stack(), vmConfigText, expectedReportData);
    }
    if (!(attestation.platform() instanceof PlatformEvidence.SevSnp snp)) {
      throw new VerificationException(KmsReason.BAD_REQUEST, "RA-TLS requests are served for"
          + " SEV-SNP and Intel TDX guests; the attestation carries "
          + attestation.platform().kind() + " evidence");
    }
    DstackVmConfig vm = DstackVmConfig.parseSnp(vmConfigText);
    if (vm.mrConfig().isPresent() && !vm.mrConfig().get().equals(snp.mrConfig())) {
      throw new MalformedEvidenceException(KmsReason.BAD_REQUEST,
          "vm_config.mr_config differs from the attestation's mr_config (which HOST_DATA binds)");
    }
    KeyReleaseRequest.Builder b = KeyReleaseRequest.builder()
        .report(snp.report())
        .mrConfig(Bytes.of(snp.mrConfig().getBytes(StandardCharsets.UTF_8)))
        .vcpus(vm.vcpus())
        .vcpuType(vm.vcpuType());
    List<Bytes> chain = snp.certChain();
    if (chain.size() == 1) {
      b.vcekCert(chain.get(0));
    } else if (chain.size() == 2) {
      b.askCert(chain.get(0)).vcekCert(chain.get(1));
    } else if (!chain.isEmpty()) {
      throw new MalformedEvidenceException(KmsReason.BAD_REQUEST, "the attestation's cert_chain has "
          + chain.size() + " entries; this KMS reads none (KDS), [VCEK] or [ASK, VCEK]");
    }
    return new RatlsRequest(b.build(), null, expectedReportData, attestation.platform().kind());
  }

  /** The TDX inputs; the vm_config must name the OS image (its os_image_hash is pinned). */
  private static RatlsRequest tdx(PlatformEvidence.Tdx t, StackEvidence stack, String vmConfig,
      Bytes expectedReportData) throws AttestationException {
    if (vmConfig.isEmpty()) {
      throw new MalformedEvidenceException(KmsReason.BAD_REQUEST, "the TDX guest sent no vm_config"
          + " (request field vm_config, else the attestation's config) naming its os_image_hash");
    }
    List<DstackRuntimeEvent> events = new ArrayList<>();
    for (RuntimeEvent e : stack.runtimeEvents()) {
      events.add(DstackRuntimeEvent.of(e.event(), e.payload(), e.version()));
    }
    return new RatlsRequest(null, new Tdx(t.quote(), List.copyOf(events), vmConfig),
        expectedReportData, t.kind());
  }

  /** The SEV-SNP inputs, or null for a TDX guest. */
  KeyReleaseRequest snpRequest() {
    return snpRequest;
  }

  /** The TDX inputs, or null for a SEV-SNP guest. */
  Tdx tdx() {
    return tdx;
  }

  /**
   * dstack's app info of a verified quote's TD report and this request's runtime events and
   * vm_config: full mode (the replay must equal RTMR3; GetAppKey, GetKmsKey), or boot-time mode as
   * dstack's SignCert asks for (mr_aggregated from the replay up to {@code boot-mr-done}, the
   * key provider not in mr_system); the full replay is checked in both modes.
   */
  DstackAppInfo tdxAppInfo(TdReport report, boolean bootTime) throws AttestationException {
    DstackAppInfo full = DstackAppInfo.of(report, tdx.runtimeEvents(), tdx.vmConfig());
    return !bootTime ? full : DstackAppInfo.builder().report(report).events(tdx.runtimeEvents())
        .vmConfig(tdx.vmConfig()).bootTime(true).build();
  }

  /**
   * SHA-512("ratls-cert:" ‖ the client certificate's SubjectPublicKeyInfo).
   *
   * @return the report_data the guest's report must carry
   */
  public Bytes expectedReportData() {
    return expectedReportData;
  }

  /**
   * The attestation's platform kind.
   *
   * @return for example {@code "sev-snp"}
   */
  public String platform() {
    return platform;
  }

  @Override
  public String toString() {
    return "RatlsRequest[" + platform + (snpRequest != null ? ", vcpus=" + snpRequest.vcpus()
        : ", " + tdx.runtimeEvents().size() + " runtime events") + "]";
  }
}
