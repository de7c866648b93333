package org.attest4j.kms;

import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.core.VerificationException;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpPolicy;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.tdx.DstackAppInfo;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxPolicy;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxVerifier;
import org.attest4j.kms.proto.AppId;
import org.attest4j.kms.proto.AppKeyAmdResponse;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.BootstrapResponse;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.kms.proto.GetAppKeyTdxRequest;
import org.attest4j.kms.proto.GetMetaResponse;
import org.attest4j.kms.proto.KmsKeyResponse;
import org.attest4j.kms.proto.NonceResponse;
import org.attest4j.kms.proto.PublicKeyResponse;
import org.attest4j.kms.proto.SignCertRequest;
import org.attest4j.kms.proto.SignCertResponse;

/**
 * The composed key-release flow of a KMS for confidential VMs. For each guest request it runs,
 * failing closed, the steps of {@link KeyReleaseStep}. Cheap checks come first: after parsing (1),
 * everything that needs no endorsement runs on the parsed report (the local part of 3: signing
 * key, {@linkplain Builder#requireVekInRequest VEK present}, {@linkplain
 * Builder#allowMaskedChipId masked CHIP_ID}, policy and TCB floor; then 4, 5, and the binding part
 * of 6) before step 2 may fetch endorsements over the network (under a {@linkplain
 * Builder#endorsementDeadline deadline}); 3 then runs again on the verified report, and the nonce
 * or request digest is consumed only after the signature verified. The steps:
 *
 * <ol>
 *   <li>parse the SEV-SNP report;
 *   <li>verify the ARK → ASK → VCEK chain and the report signature;
 *   <li>apply the SNP policy (debug, migration agent, VMPL, signing key, ...) and the TCB floor:
 *       REPORTED_TCB and LAUNCH_TCB at or above the {@linkplain Builder#minimumTcb minimum TCB}
 *       configured for the report's product (a product without one is refused). There is no
 *       default floor: {@link Builder#build()} refuses to build without one unless the operator
 *       explicitly opts out with {@link Builder#allowAnyTcb()};
 *   <li>recompute the expected MEASUREMENT from the {@linkplain PinnedLaunch pinned} firmware,
 *       kernel and initrd, the pinned command-line template rendered with the request's values, and
 *       the claimed vCPU count and type (each of which must be allowed), and compare in constant
 *       time. This step cannot be skipped: a request without a launch shape is refused, and digests
 *       the client sends are never used (a claim that differs from the pinned value is refused);
 *   <li>bind app_id, compose_hash and instance_id to measured data: HOST_DATA = the MrConfigV3
 *       digest ({@link IdentityBinding#HOST_DATA}, dstack's merged design, which also requires the
 *       document to name this KMS as key provider), or command-line parameters covered by the
 *       kernel-hashes table ({@link IdentityBinding#COMMAND_LINE});
 *   <li>check freshness: report_data[32..64] commits to a KMS-issued nonce or to the request
 *       digest, usable once within its lifetime ({@link NonceStore});
 *   <li>ask the {@link AuthorizationHook} with dstack's {@link BootInfo} ({@code tcbStatus}
 *       {@code "UpToDate"} only when the TCBs agree and meet the floor, see {@link BootInfo});
 *   <li>derive the app keys exactly as dstack does;
 *   <li>seal them to report_data[0..32] ({@link EnvelopeMode#HPKE_V1} by default: bound to the
 *       request and signed by the KMS).
 * </ol>
 *
 * Intel TDX guests are served by {@link #releaseTdx(TdxKeyReleaseRequest)} with the same step
 * numbering (see there) when the builder has a {@linkplain Builder#tdx TDX configuration}; they get
 * the same app keys for the same app_id as SEV-SNP guests. Over RA-TLS ({@link #releaseRatls},
 * {@link #signCert}, {@link #releaseKmsKeys}) both run their steps 1-8 with the evidence of the
 * client certificate or CSR, freshness being its binding to that key.
 *
 * <p>Each step is a class of its own inside this package, built once by {@link Builder#build()};
 * this service composes them per RPC in a fixed order (docs/kms.md, "The steps as classes"), the
 * SEV-SNP and TDX steps 1-7 shared by GetAppKeyAmd, GetAppKeyTdx and the RA-TLS RPCs.
 *
 * <p>A refusal is a {@link KeyReleaseException} naming the step and wrapping its typed reason; both
 * outcomes carry per-step timings. Build one with {@link #builder()} and share it: instances are
 * immutable (apart from the internal {@link NonceStore}) and thread-safe.
 */
public final class KeyReleaseService {
  private static final System.Logger LOG = System.getLogger(KeyReleaseService.class.getName());

  // what the other RPCs and the accessors report
  private final PinnedLaunch launch;
  private final AuthorizationHook authorization;
  private final Ports.KeyPort keys;
  private final IdentityBinding identityBinding;
  private final FreshnessMode freshnessMode;
  private final NonceStore nonces;
  private final EnvelopeMode defaultEnvelope;
  private final Set<EnvelopeMode> envelopes;
  private final String caCertPem;
  private final Clock clock;
  private final boolean servesTdx;

  // the steps, built once
  private final SnpReleasePath snp;
  private final TdxRequestStep tdxRequest;
  private final TdxReleasePath tdx;
  private final FreshnessStep freshness;
  private final AuthorizationStep appAuthorization;
  private final AuthorizationStep tdxAuthorization;
  private final AuthorizationStep replicaAuthorization;
  private final AuthorizationStep tdxReplicaAuthorization;
  private final KeyDerivationStep derivation;
  private final SealingStep sealing;
  private final TlsDeliveryStep delivery;

  private KeyReleaseService(Builder b) {
    this.launch = b.launch;
    this.authorization = b.authorization;
    this.keys = b.keys;
    this.identityBinding = b.identityBinding;
    this.freshnessMode = b.freshness;
    this.nonces = b.nonces != null ? b.nonces : NonceStore.builder().clock(b.clock).build();
    this.defaultEnvelope = b.defaultEnvelope;
    this.envelopes = Set.copyOf(b.envelopes);
    this.caCertPem =
        b.caCertPem != null ? b.caCertPem : b.roots != null ? b.roots.rootCaCertificatePem() : "";
    this.clock = b.clock;
    this.servesTdx = b.tdxVerifier != null;

    JsonObject kp = new JsonObject();
    kp.addProperty("name", "kms");
    kp.addProperty("id", keys.rootCaSpki().toHex());
    Bytes keyProviderInfo = Bytes.of(kp.toString().getBytes(StandardCharsets.UTF_8));
    this.snp = new SnpReleasePath(new SnpEvidenceStep(b.evidence), new SnpPolicyStep(b.evidence),
        new SnpMeasurementStep(b.launch),
        new SnpIdentityStep(b.identityDocuments, b.identityBinding, b.launch, keys.rootCaSpki(),
            b.requireKeyProviderId),
        b.launch, keyProviderInfo);
    this.tdxRequest = new TdxRequestStep(servesTdx);
    this.tdx = new TdxReleasePath(new TdxEvidenceStep(b.tdxVerifier, b.tdxRequestPath, b.clock),
        new TdxPolicyStep(b.tdxPolicy), new TdxMeasurementStep(b.tdxImages),
        new TdxIdentityStep(keys.rootCaSpki(), b.tdxRequireKeyProvider));
    this.freshness = new FreshnessStep(b.reportData, b.freshness, nonces, b.clock);
    this.appAuthorization = new AuthorizationStep(b.authorization, "app");
    this.tdxAuthorization = new AuthorizationStep(b.authorization, "TDX app");
    this.replicaAuthorization = b.replicaAuthorization == null ? null
        : new AuthorizationStep(b.replicaAuthorization, "KMS replica");
    this.tdxReplicaAuthorization = b.replicaAuthorization == null ? null
        : new AuthorizationStep(b.replicaAuthorization, "TDX KMS replica");
    this.derivation = new KeyDerivationStep(b.keys, b.appKeyCacheSize);
    this.sealing = new SealingStep(keys, defaultEnvelope, envelopes, caCertPem);
    this.delivery = new TlsDeliveryStep(keys, b.roots == null ? null
        : org.attest4j.ratls.KmsCertificateAuthority.of(b.roots, b.clock), caCertPem);
  }

  /**
   * A builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------------------------------
  // the paths: each a fixed sequence of step classes (see docs/kms.md)
  // ------------------------------------------------------------------------------------------

  /**
   * Decodes dstack's {@code GetAppKeyAmdRequest} (step 0) and runs the flow.
   *
   * @param request the request as dstack's protobuf message
   * @return the released keys, as {@link #release(KeyReleaseRequest)}
   * @throws KeyReleaseException naming the step that refused
   */
  public KeyRelease release(GetAppKeyAmdRequest request) throws KeyReleaseException {
    StepRun run = new StepRun();
    return releaseSnp(run.guarded(() -> KeyReleaseRequest.fromProto(request)), run);
  }

  /**
   * Runs the flow for one request.
   *
   * @param request the SEV-SNP guest's request
   * @return the released keys, sealed to the guest, with the boot info and step timings
   * @throws KeyReleaseException naming the step that refused
   */
  public KeyRelease release(KeyReleaseRequest request) throws KeyReleaseException {
    return releaseSnp(Objects.requireNonNull(request, "request"), new StepRun());
  }

  /** GetAppKeyAmd: SEV-SNP steps 1-7, then derivation and sealing. */
  private KeyRelease releaseSnp(KeyReleaseRequest req, StepRun run) throws KeyReleaseException {
    FreshnessStep.Check fresh = freshness.nonceOrDigest(req.nonce(), req.requestTime(), req::requestDigest,
        sealing.nonceEnvelope(req.envelope()));
    return run.guarded(() -> sealed(snp.run(req, run, fresh, appAuthorization), req.envelope(), run, "app"));
  }

  /**
   * Decodes a {@code GetAppKeyTdxRequest} (step 0) and runs the TDX flow, see {@link
   * #releaseTdx(TdxKeyReleaseRequest)}.
   *
   * @param request the request as dstack's protobuf message
   * @return the released keys, as {@link #releaseTdx(TdxKeyReleaseRequest)}
   * @throws KeyReleaseException naming the step that refused
   */
  public KeyRelease releaseTdx(GetAppKeyTdxRequest request) throws KeyReleaseException {
    StepRun run = new StepRun();
    return runTdx(run.guarded(() -> TdxKeyReleaseRequest.fromProto(request)), run);
  }

  /**
   * Runs the key-release flow for an Intel TDX guest, failing closed, with the step numbers of
   * {@link KeyReleaseStep}. Cheap checks come first, as for SEV-SNP: after 1, the rules of 3 that
   * the TD report alone decides ({@link TdxPolicy#enforceUnverified}), 4, 5 and the binding part of
   * 6 run on the parsed quote before 2 asks the collateral source (under the {@linkplain
   * Builder#endorsementDeadline endorsement deadline}); 3 then runs in full on the verdict and the
   * nonce or request digest is consumed only after the quote verified. The steps:
   *
   * <ol start="0">
   *   <li>the request is complete (quote, event log, vm_config, 20-byte app_id) and this KMS was
   *       built with a {@linkplain Builder#tdx TDX configuration} ({@link KmsReason#TDX_NOT_CONFIGURED}
   *       otherwise);
   *   <li>the quote parses ({@link TdxQuote#parse});
   *   <li>the quote verifies with Intel collateral from the configured source, at this service's
   *       clock ({@link TdxVerifier#verify(TdxQuote, TdxCollateral, Instant)});
   *   <li>the {@link TdxPolicy} accepts the verdict (default {@link TdxPolicy#strict()});
   *   <li>measurement: the event log's runtime events replay to the quote's RTMR3 (and a CCEL, when
   *       sent, replays to RTMR0-2); app_id, compose_hash, instance_id and key-provider are derived
   *       with {@link DstackAppInfo} (events after {@code system-ready} never count); the
   *       vm_config's os_image_hash must be a {@linkplain Builder#tdxImage pinned image} whose MRTD
   *       and RTMR0-2 equal the quote's;
   *   <li>the request's app_id (and compose_hash / instance_id when sent) equal the measured ones;
   *       unless disabled with {@link Builder#tdxRequireKeyProvider(boolean)}, the measured
   *       key-provider event must name this KMS ({@code {"name":"kms","id":<root CA SPKI hex>}});
   *   <li>report_data[32..64] carries a fresh nonce or the {@linkplain
   *       TdxKeyReleaseRequest#requestDigest() request digest} (the same check as for SEV-SNP);
   *   <li>the authorization hook allows the {@link BootInfo} ({@link BootInfo#TEE_VARIANT_TDX},
   *       dstack's mr_aggregated, mr_system and device_id, the pinned os_image_hash, the measured
   *       key-provider payload, and the verdict's TCB status and advisory ids);
   *   <li>the app keys are derived as for SEV-SNP;
   *   <li>they are sealed to report_data[0..32] with the same envelopes (HPKE binds the quote).
   * </ol>
   *
   * {@link KeyRelease#measurement()} is the quote's MRTD.
   *
   * @param request the TDX guest's request
   * @return the released keys, sealed to the guest, with the boot info and step timings
   * @throws KeyReleaseException naming the step that refused
   */
  public KeyRelease releaseTdx(TdxKeyReleaseRequest request) throws KeyReleaseException {
    return runTdx(Objects.requireNonNull(request, "request"), new StepRun());
  }

  /**
   * Whether this service was built with a TDX configuration.
   *
   * @return whether this service was built with a TDX configuration
   */
  public boolean servesTdx() {
    return servesTdx;
  }

  /** GetAppKeyTdx: the request check, TDX steps 1-7 on its logs and claims, derivation and sealing. */
  private KeyRelease runTdx(TdxKeyReleaseRequest req, StepRun run) throws KeyReleaseException {
    return run.guarded(() -> {
      tdxRequest.check(req);
      FreshnessStep.Check fresh = freshness.nonceOrDigest(req.nonce(), req.requestTime(), req::requestDigest,
          sealing.nonceEnvelope(req.envelope()));
      VerifiedGuest v = tdx.run(req.quote(), TdxMeasurementStep.fromLogs(req),
          new AppIdentity(req.appId(), req.composeHash(), req.instanceId()), run, fresh, tdxAuthorization);
      return sealed(v, req.envelope(), run, "TDX app");
    });
  }

  /** Steps 8 and 9 of GetAppKeyAmd and GetAppKeyTdx: the guest's keys, sealed to its report_data. */
  private KeyRelease sealed(VerifiedGuest v, Optional<EnvelopeMode> envelope, StepRun run, String what)
      throws AttestationException {
    run.begin(KeyReleaseStep.DERIVE_KEYS);
    Object derived = derivation.derive(v.id());
    run.begin(KeyReleaseStep.SEAL_RESPONSE);
    EnvelopeMode mode = sealing.envelopeFor(envelope);
    AppKeyAmdResponse response = sealing.seal(derived, mode, v);
    StepTimings t = run.finish();
    LOG.log(Level.DEBUG, () -> "released keys for " + what + " " + v.id().appId() + " instance "
        + v.id().instanceId() + " " + t);
    return new KeyRelease(response, v.info(), v.decision(), mode, v.measurement(), t);
  }

  /**
   * dstack's {@code GetAppKey} over RA-TLS for a SEV-SNP guest (spec dstack-ratls §5.4) or an Intel
   * TDX guest (§5.3): the guest's evidence comes from its TLS client certificate, which the caller's TLS layer has accepted (the
   * handshake proves the guest holds the certificate's key). Step 0 decodes the certificate's
   * attestation ({@link RatlsRequest}); steps 1-8 are those of {@link #release(KeyReleaseRequest)}
   * with two differences: freshness (step 6) is the binding of REPORT_DATA to the certificate key,
   * SHA-512("ratls-cert:" ‖ SPKI), and the keys are returned in plaintext for the TLS session (step
   * 9 builds the {@code AppKeyResponse}). The launch shape (vCPUs, vCPU type) is taken from the
   * request's {@code vm_config} (else the attestation's config) and checked against the pins like any
   * claim; the measurement is recomputed from this KMS's pinned artifacts, never from the guest's.
   * A TDX guest runs steps 1-8 of {@link #releaseTdx(TdxKeyReleaseRequest)} on the certificate's
   * quote, with RTMR3 replayed from the attestation's runtime events and the OS image named by the
   * vm_config; identity comes from the replayed events only (the request names no app), and
   * freshness is the same key binding. A service without {@linkplain Builder#tdx TDX
   * configuration} refuses TDX guests with {@link KmsReason#TDX_NOT_CONFIGURED}, one without
   * SEV-SNP evidence refuses SEV-SNP guests with {@link KmsReason#SNP_NOT_CONFIGURED}.
   *
   * @param request the decoded RA-TLS request ({@link RatlsRequest#decode})
   * @return the released keys, for the TLS session only
   * @throws KeyReleaseException naming the step that refused
   */
  public RatlsKeyRelease releaseRatls(RatlsRequest request) throws KeyReleaseException {
    Objects.requireNonNull(request, "request");
    StepRun run = new StepRun();
    return run.guarded(() -> {
      VerifiedGuest v = attested(request, run, "the client certificate's key", false, appAuthorization,
          tdxAuthorization);
      run.begin(KeyReleaseStep.DERIVE_KEYS);
      Object derived = derivation.derive(v.id());
      run.begin(KeyReleaseStep.SEAL_RESPONSE);
      AppKeyResponse response = delivery.appKeys(derived, v);
      StepTimings t = run.finish();
      LOG.log(Level.DEBUG, () -> "released keys over RA-TLS for " + (request.tdx() != null ? "TDX app " : "app ")
          + v.id().appId() + " " + t);
      return new RatlsKeyRelease(response, v.info(), v.decision(), v.measurement(), t);
    });
  }

  /**
   * dstack's {@code SignCert} for a SEV-SNP or Intel TDX guest (spec dstack-ratls §5.8): an application
   * certificate for a key the guest holds, issued by the app's CA. Step 0 decodes the CSR for its
   * {@code api_version} (1 or 2, else {@link org.attest4j.ratls.RatlsReason#BAD_CSR}) and verifies
   * it ({@link org.attest4j.ratls.CertSigningRequest#verify}: the signature by the CSR key, the
   * confirm word, and the attestation's binding to the CSR key, {@link
   * org.attest4j.ratls.RatlsReason#REPORT_DATA_MISMATCH}); steps 1-8 are those of {@link
   * #releaseRatls} on the CSR's attestation and the request's {@code vm_config} (else the
   * attestation's config), with freshness = the binding to the CSR key (the signature proves
   * possession). The caller's TLS client certificate is not used. The BootInfo the hook sees is the
   * boot-time one dstack asks for: SEV-SNP has no runtime measurement register; for TDX,
   * mr_aggregated replays RTMR3 only up to {@code boot-mr-done} and mr_system leaves out the key
   * provider (the full replay must still equal the quote's RTMR3).
   * Step 9 issues the leaf with {@link org.attest4j.ratls.KmsCertificateAuthority#signCert}: .3 =
   * the authorized app_id, .9 (when the CSR asks) = the AppInfo of the verified BootInfo, not of the
   * unverified attestation as dstack does.
   *
   * @param request dstack's {@code SignCertRequest}
   * @return {@code certificate_chain}: leaf, app CA and root CA, PEM
   * @throws KeyReleaseException naming the step that refused
   */
  public SignCertResponse signCert(SignCertRequest request) throws KeyReleaseException {
    Objects.requireNonNull(request, "request");
    StepRun run = new StepRun();
    return run.guarded(() -> {
      if (!delivery.hasRootKeys()) {
        throw new VerificationException(KmsReason.INTERNAL_ERROR,
            "this KMS was built without its root keys and cannot sign certificates");
      }
      CsrStep.Decoded csr = CsrStep.decode(request);
      VerifiedGuest v = attested(csr.request(), run, "the CSR key", true, appAuthorization, tdxAuthorization);
      run.begin(KeyReleaseStep.DERIVE_KEYS);
      Object derived = derivation.derive(v.id());
      run.begin(KeyReleaseStep.SEAL_RESPONSE);
      List<String> chain = delivery.certificate(derived, csr.csr(), v.info());
      StepTimings t = run.finish();
      LOG.log(Level.DEBUG, () -> "signed a certificate for app " + v.id().appId() + " " + t);
      return SignCertResponse.newBuilder().addAllCertificateChain(chain).build();
    });
  }

  /**
   * dstack's {@code GetKmsKey} for a KMS replica that is itself an attested SEV-SNP or TDX guest (spec
   * dstack-ratls §5.6): the caller's evidence comes from its TLS client certificate, as for {@link
   * #releaseRatls}, and runs the same steps 1-7, but step 7 asks the {@linkplain
   * Builder#replicaAuthorization replica authorization hook} (dstack's {@code bootAuth/kms}), and
   * step 9 returns this KMS's entire root secret: {@code temp_ca_key} and one key set {@code
   * {ca_key (PKCS#8 PEM), k256_key (raw 32 bytes)}}. Refused ({@link KmsReason#NOT_AUTHORIZED})
   * unless a replica hook was configured: onboarding is opt-in.
   *
   * @param request the decoded request ({@link RatlsRequest#decode(byte[],
   *     org.attest4j.kms.proto.GetKmsKeyRequest)})
   * @return the root keys, for the TLS session only (secret: never log it)
   * @throws KeyReleaseException naming the step that refused
   */
  public KmsKeyResponse releaseKmsKeys(RatlsRequest request) throws KeyReleaseException {
    Objects.requireNonNull(request, "request");
    StepRun run = new StepRun();
    return run.guarded(() -> {
      if (replicaAuthorization == null || !delivery.hasRootKeys()) {
        throw new PolicyViolationException(List.of(new PolicyViolationException.Violation(
            KmsReason.NOT_AUTHORIZED, "authorization",
            "replica onboarding (GetKmsKey) is not enabled on this KMS: it releases the whole root"
                + " secret; enable it with a replica authorization hook")));
      }
      // a KMS replica gets the root keys, not app keys derived for its identity
      VerifiedGuest v = attested(request, run, "the client certificate's key", false, replicaAuthorization,
          tdxReplicaAuthorization);
      run.begin(KeyReleaseStep.SEAL_RESPONSE);
      KmsKeyResponse response = delivery.rootKeys();
      StepTimings t = run.finish();
      LOG.log(Level.INFO, () -> "released the root keys to KMS replica " + v.id().appId()
          + " instance " + v.id().instanceId() + " " + t);
      return response;
    });
  }

  /**
   * Judges another KMS by the rule {@link #releaseKmsKeys} applies to a replica, without releasing
   * anything: steps 1-7 on the attestation of {@code request}'s certificate, with the {@linkplain
   * Builder#replicaAuthorization replica authorization hook} at step 7. A replica that onboards from a
   * source KMS calls this on the source's own {@code kms:rpc} certificate before it stores the keys
   * it received (dstack's {@code ensure_kms_allowed}, which upstream skips): the source must be a
   * KMS this replica would itself give its keys to. Logs nothing above DEBUG.
   *
   * @param request the decoded peer certificate ({@link RatlsRequest#decode(byte[],
   *     org.attest4j.kms.proto.GetKmsKeyRequest)})
   * @return the peer's BootInfo, as the replica hook saw it
   * @throws KeyReleaseException naming the step that refused (step 7 {@link KmsReason#NOT_AUTHORIZED}
   *     when this service has no replica hook or the hook refuses the peer)
   */
  public BootInfo checkKmsPeer(RatlsRequest request) throws KeyReleaseException {
    Objects.requireNonNull(request, "request");
    StepRun run = new StepRun();
    return run.guarded(() -> {
      if (replicaAuthorization == null) {
        throw new PolicyViolationException(List.of(new PolicyViolationException.Violation(
            KmsReason.NOT_AUTHORIZED, "authorization",
            "this KMS has no replica authorization hook, so it allows no KMS peer; enable replica"
                + " onboarding to judge one")));
      }
      VerifiedGuest v = attested(request, run, "the certificate's key", false, replicaAuthorization,
          tdxReplicaAuthorization);
      run.finish();
      LOG.log(Level.DEBUG, () -> "KMS peer " + v.id().appId() + " instance " + v.id().instanceId()
          + " passes the replica rule");
      return v.info();
    });
  }

  /**
   * Steps 1-7 of the guest's platform for an RA-TLS attestation (a client certificate's or a CSR's),
   * fresh by REPORT_DATA's binding to that key. A TDX guest claims no identity: its replayed events
   * name the app (for SignCert in dstack's boot-time mode).
   */
  private VerifiedGuest attested(RatlsRequest r, StepRun run, String boundKey, boolean bootTime,
      AuthorizationStep snpHook, AuthorizationStep tdxHook) throws AttestationException {
    FreshnessStep.Check fresh = FreshnessStep.keyBound(r.expectedReportData(), boundKey);
    if (r.tdx() != null) {
      return tdx.run(r.tdx().quote(), report -> r.tdxAppInfo(report, bootTime), AppIdentity.UNCLAIMED, run,
          fresh, tdxHook);
    }
    return snp.run(r.snpRequest(), run, fresh, snpHook);
  }

  // ------------------------------------------------------------------------------------------
  // the other RPCs
  // ------------------------------------------------------------------------------------------

  /**
   * Issues a single-use nonce for report_data[32..64], bound to the default envelope.
   *
   * @return the nonce
   * @throws EndorsementUnavailableException if the nonce store cannot issue one (retryable)
   */
  public NonceStore.IssuedNonce issueNonce() throws EndorsementUnavailableException {
    return nonces.issue(java.util.Optional.of(defaultEnvelope));
  }

  /**
   * Issues a single-use nonce bound to {@code envelope}: a request carrying it is refused
   * ({@link KmsReason#ENVELOPE_MODE_NOT_ALLOWED}) if it asks for another envelope.
   *
   * @param envelope the envelope, which must be enabled
   * @return the nonce
   * @throws VerificationException {@link KmsReason#ENVELOPE_MODE_NOT_ALLOWED} if it is not enabled
   * @throws EndorsementUnavailableException if the nonce store cannot issue one (retryable)
   */
  public NonceStore.IssuedNonce issueNonce(EnvelopeMode envelope) throws AttestationException {
    return nonces.issue(java.util.Optional.of(sealing.envelopeFor(java.util.Optional.of(envelope))));
  }

  /**
   * {@link #issueNonce(EnvelopeMode)} as the {@code GetNonce} RPC answer.
   *
   * @param envelope the envelope, which must be enabled
   * @return the answer
   * @throws AttestationException as {@link #issueNonce(EnvelopeMode)}
   */
  public NonceResponse issueNonceRpc(EnvelopeMode envelope) throws AttestationException {
    return nonceResponse(issueNonce(envelope));
  }

  /**
   * {@link #issueNonce()} as the {@code GetNonce} RPC answer.
   *
   * @return the answer
   * @throws EndorsementUnavailableException if the nonce store cannot issue one (retryable)
   */
  public NonceResponse issueNonceRpc() throws EndorsementUnavailableException {
    return nonceResponse(issueNonce());
  }

  private static NonceResponse nonceResponse(NonceStore.IssuedNonce n) {
    return NonceResponse.newBuilder()
        .setNonce(ByteString.copyFrom(n.nonce().toByteArray()))
        .setExpiresAt(n.expiresAt().getEpochSecond())
        .build();
  }

  /**
   * dstack's {@code GetAppEnvEncryptPubKey}: the app's X25519 env-encryption public key with the
   * KMS k256 signatures ({@code timestamp} from this service's clock).
   *
   * @param request the app id to answer for
   * @return the app's env-encrypt public key with its signatures
   * @throws MalformedEvidenceException if the app id is not 20 bytes
   */
  public PublicKeyResponse appEnvEncryptPublicKey(AppId request) throws AttestationException {
    if (request.getAppId().size() != 20) {
      throw new MalformedEvidenceException(
          KmsReason.BAD_REQUEST, "field app_id must be 20 bytes, got " + request.getAppId().size());
    }
    return keys.envEncryptPublicKey(Bytes.of(request.getAppId().toByteArray()), clock.instant().getEpochSecond());
  }

  /**
   * dstack's {@code GetMeta}, with attest4j's envelope and freshness fields.
   *
   * @return the GetMeta response
   */
  public GetMetaResponse meta() {
    GetMetaResponse.Builder m =
        GetMetaResponse.newBuilder()
            .setCaCert(caCertPem)
            .setAllowAnyUpgrade(false)
            .setK256Pubkey(ByteString.copyFrom(keys.rootK256PublicKey().toByteArray()))
            .setBootstrapInfo(
                BootstrapResponse.newBuilder()
                    .setCaPubkey(ByteString.copyFrom(keys.rootCaSpki().toByteArray()))
                    .setK256Pubkey(ByteString.copyFrom(keys.rootK256PublicKey().toByteArray())))
            .setIsDev(false)
            .setEnvelopeSigningKey(ByteString.copyFrom(keys.rootCaSpki().toByteArray()))
            .setFreshness(
                freshnessMode == FreshnessMode.KMS_NONCE
                    ? org.attest4j.kms.proto.FreshnessMode.FRESHNESS_KMS_NONCE
                    : org.attest4j.kms.proto.FreshnessMode.FRESHNESS_REQUEST_DIGEST);
    for (EnvelopeMode e : EnumSet.copyOf(envelopes)) {
      m.addEnvelopeModes(
          e == EnvelopeMode.HPKE_V1
              ? org.attest4j.kms.proto.EnvelopeMode.ENVELOPE_HPKE_V1
              : org.attest4j.kms.proto.EnvelopeMode.ENVELOPE_AES_SIV_PR630);
    }
    return m.build();
  }

  /**
   * The root CA SubjectPublicKeyInfo DER: the key_provider_id guests put in MrConfigV3.
   *
   * @return the root CA SubjectPublicKeyInfo DER
   */
  public Bytes keyProviderId() {
    return keys.rootCaSpki();
  }

  /**
   * The pinned launch (null for a TDX-only service, built without {@code snp(..)} and {@code launch(..)}).
   *
   * @return the pinned launch (null for a TDX-only service, built without {@code snp(..)} and {@code launch(..)})
   */
  public PinnedLaunch launch() {
    return launch;
  }

  /**
   * The identity binding.
   *
   * @return the identity binding
   */
  public IdentityBinding identityBinding() {
    return identityBinding;
  }

  /**
   * The freshness mode.
   *
   * @return the freshness mode
   */
  public FreshnessMode freshness() {
    return freshnessMode;
  }

  /**
   * The envelope used when a request does not ask for one.
   *
   * @return the envelope used when a request does not ask for one
   */
  public EnvelopeMode defaultEnvelope() {
    return defaultEnvelope;
  }

  /**
   * The envelopes this service serves.
   *
   * @return the envelopes this service serves
   */
  public Set<EnvelopeMode> envelopes() {
    return envelopes;
  }

  /**
   * The clock.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "KeyReleaseService[" + snp + ", " + identityBinding + ", " + freshnessMode + ", envelopes="
        + envelopes + ", " + launch + ", " + authorization + "]";
  }

  /** Builds a {@link KeyReleaseService}. Not thread-safe. */
  public static final class Builder {
    private Ports.EvidencePort evidence;
    private SnpVerifier snpVerifier;
    private EndorsementSource snpEndorsements;
    private SnpPolicy snpPolicy;
    private final Map<Product, TcbVersion> minimumTcb = new EnumMap<>(Product.class);
    private boolean allowAnyTcb;
    private PinnedLaunch launch;
    private AuthorizationHook authorization;
    private AuthorizationHook replicaAuthorization;
    private Ports.KeyPort keys;
    private Ports.IdentityDocumentPort identityDocuments = CryptoAdapter.IDENTITY_DOCUMENTS;
    private Ports.ReportDataPort reportData = CryptoAdapter.REPORT_DATA;
    private IdentityBinding identityBinding = IdentityBinding.HOST_DATA;
    private FreshnessMode freshness = FreshnessMode.KMS_NONCE;
    private NonceStore nonces;
    private EnvelopeMode defaultEnvelope = EnvelopeMode.HPKE_V1;
    private final Set<EnvelopeMode> envelopes = EnumSet.of(EnvelopeMode.HPKE_V1);
    private boolean requireKeyProviderId = true;
    private String caCertPem;
    private KmsRootKeys roots;
    private Clock clock = Clock.systemUTC();
    private int appKeyCacheSize = 1024;
    private TdxVerifier tdxVerifier;
    private TdxCollateralSource tdxCollateral;
    private TdxPolicy tdxPolicy;
    private final List<TdxPinnedImage> tdxImages = new java.util.ArrayList<>();
    private boolean tdxRequireKeyProvider = true;
    private Duration endorsementDeadline = Duration.ofSeconds(2);
    private Duration unknownChipTtl = Duration.ofMinutes(10);
    private int maxBackgroundFetches = 64;
    private boolean requireVekInRequest;
    private boolean allowMaskedChipId;
    /** Built by {@link #build()}: one deadline, pool and negative cache for SEV-SNP and TDX. */
    private RequestPathFetches fetches;
    private TdxCollateralSource tdxRequestPath;

    private Builder() {}

    private RequestPathFetches requestPathFetches() {
      if (fetches == null) {
        fetches = new RequestPathFetches(endorsementDeadline, unknownChipTtl, maxBackgroundFetches, clock);
      }
      return fetches;
    }

    /**
     * The longest a request waits for endorsements the KMS must fetch (a VCEK, a chain, TDX
     * collateral) at step 2 (default 2 s). A fetch still running then goes on in the background and
     * fills the source's cache; the request is refused at once with the retryable {@link
     * KmsReason#ENDORSEMENT_DEADLINE} (HTTP 503 on the example server), so no request thread waits
     * on a slow or throttling KDS or PCS. Fixed sources ({@link KmsEndorsements#certChain}, {@link
     * TdxCollateralSource#fixed}) are not affected. Pair a {@code KdsClient} or {@code PcsClient}
     * with {@code circuitBreaker(..)} so a 429 is not retried.
     *
     * @param deadline a positive duration
     * @return this builder
     */
    public Builder endorsementDeadline(Duration deadline) {
      Objects.requireNonNull(deadline, "deadline");
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("the endorsement deadline must be positive: " + deadline);
      }
      this.endorsementDeadline = deadline;
      return this;
    }

    /**
     * How long a CHIP_ID/TCB pair that AMD's KDS answered 404 for is remembered (default 10 min,
     * by this builder's clock): requests for it are refused with {@link KmsReason#UNKNOWN_CHIP}
     * without asking the KDS again. TDX collateral that the source answered 404 for ({@code
     * PcsReason.NOT_FOUND}) is remembered as long, per PCK certificate chain, and refused with
     * that same reason without asking again.
     *
     * @param ttl a positive duration
     * @return this builder
     */
    public Builder unknownChipTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("the unknown-chip TTL must be positive: " + ttl);
      }
      this.unknownChipTtl = ttl;
      return this;
    }

    /**
     * At most this many endorsement lookups (SEV-SNP and TDX together) run on the background pool
     * at once (default 64; its threads are started on demand and end when idle); a request needing
     * another is refused at once with the retryable {@link KmsReason#ENDORSEMENTS_BUSY}. Requests that bring their VEK
     * do not use the pool once the product's chain is known.
     *
     * @param n 1 or more
     * @return this builder
     */
    public Builder maxBackgroundFetches(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxBackgroundFetches must be at least 1, got " + n);
      }
      this.maxBackgroundFetches = n;
      return this;
    }

    /**
     * Requires every SEV-SNP request to carry its VCEK or VLEK (field {@code vcek_pem}); one
     * without is refused with {@link KmsReason#VEK_REQUIRED} before any network call. The KMS then
     * never looks a VEK up at AMD's KDS for a request (it may still fetch the product's ASK/ARK
     * chain once, unless that is fixed). Default: off (a missing VEK is fetched, under the
     * {@linkplain #endorsementDeadline deadline}).
     *
     * @return this builder
     */
    public Builder requireVekInRequest() {
      this.requireVekInRequest = true;
      return this;
    }

    /**
     * Serves SEV-SNP reports whose CHIP_ID is all zero (the host set MASK_CHIP_ID), which are
     * refused by default with {@link KmsReason#MASKED_CHIP_ID}: device_id is normally SHA-256 of
     * CHIP_ID, and every masked host would share one. With this option device_id is derived from
     * the verified VEK instead: SHA-256 of the VCEK's hwID in CHIP_ID form (the same device_id the
     * chip has unmasked), or for a VLEK-signed report SHA-256 of the VLEK certificate (a VLEK
     * names the cloud provider's key at a TCB, so all of that provider's hosts at that TCB share
     * the device_id; allow-list device entries cannot tell them apart).
     *
     * @return this builder
     */
    public Builder allowMaskedChipId() {
      this.allowMaskedChipId = true;
      return this;
    }

    /**
     * How many derived app-key sets to keep (default 1,024; 0 disables). Derivation costs several
     * elliptic-curve operations; the keys are recomputable from the root keys this service holds
     * anyway, so keeping them adds no exposure beyond the process's memory.
     *
     * @param entries how many derived app-key sets to keep (default 1,024
     * @return this builder
     */
    public Builder appKeyCacheSize(int entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("cache size must not be negative: " + entries);
      }
      this.appKeyCacheSize = entries;
      return this;
    }

    Builder evidencePort(Ports.EvidencePort p) {
      this.evidence = Objects.requireNonNull(p);
      this.snpVerifier = null;
      return this;
    }

    Builder keyPort(Ports.KeyPort p) {
      this.keys = Objects.requireNonNull(p);
      return this;
    }

    Builder identityDocumentPort(Ports.IdentityDocumentPort p) {
      this.identityDocuments = Objects.requireNonNull(p);
      return this;
    }

    Builder reportDataPort(Ports.ReportDataPort p) {
      this.reportData = Objects.requireNonNull(p);
      return this;
    }

    /**
     * The KMS root keys (required): app keys derive from them, the root CA key signs HPKE envelopes
     * and is the key_provider_id guests must name in their MrConfigV3 document.
     *
     * @param roots the KMS root keys (required)
     * @return this builder
     */
    public Builder rootKeys(KmsRootKeys roots) {
      this.keys = new CryptoAdapter.Keys(Objects.requireNonNull(roots, "roots"));
      this.roots = roots;
      return this;
    }

    /**
     * SEV-SNP evidence (required, with {@link #launch}, unless the service is TDX-only: {@link #tdx
     * tdx(..)} without snp(..) and launch(..)): the verifier with its trust anchors (AMD's pinned
     * roots, or a simulated platform's root in tests) and clock, and where endorsements come from besides the
     * VCEK a request sends (a {@code KdsClient}, or {@link KmsEndorsements#certChain}), with
     * {@link SnpPolicy#strict()} (debug and migration agent forbidden, VMPL 0, VCEK signer, ...)
     * plus the {@linkplain #minimumTcb minimum TCBs} of this builder. A TCB floor (or the explicit
     * {@link #allowAnyTcb()}) is also required.
     *
     * @param verifier the SEV-SNP report verifier (trusted AMD roots)
     * @param endorsements where the VCEK and its chain come from
     * @return this builder
     */
    public Builder snp(SnpVerifier verifier, EndorsementSource endorsements) {
      return snp(verifier, endorsements, null);
    }

    /**
     * SEV-SNP evidence with a policy of the caller's (step 3; null means {@link SnpPolicy#strict()}).
     * Do not set expected MEASUREMENT, report_data or HOST_DATA values in it: steps 4 to 6 check
     * those per request. The {@linkplain #minimumTcb minimum TCBs} of this builder are checked at
     * step 3 in addition to {@code policy}, and are still required (or {@link #allowAnyTcb()}):
     * this service cannot see minimums inside {@code policy}, and it reports {@code tcbStatus}
     * against its own floor.
     *
     * @param verifier the SEV-SNP report verifier (trusted AMD roots)
     * @param endorsements where the VCEK and its chain come from
     * @param policy the SEV-SNP policy the verified report must meet
     * @return this builder
     */
    public Builder snp(SnpVerifier verifier, EndorsementSource endorsements, SnpPolicy policy) {
      this.snpVerifier = Objects.requireNonNull(verifier, "verifier");
      this.snpEndorsements = Objects.requireNonNull(endorsements, "endorsements");
      this.snpPolicy = policy;
      this.evidence = null;
      return this;
    }

    /**
     * Intel TDX evidence (optional; without it {@link KeyReleaseService#releaseTdx} refuses every
     * request with {@link KmsReason#TDX_NOT_CONFIGURED}): the verifier (Intel root pinned; its
     * clock is not used, quotes are verified at this builder's clock), where the collateral comes
     * from, and the policy (null means {@link TdxPolicy#strict()}). Do not set expected report_data
     * in the policy: step 6 checks it per request. At least one {@linkplain #tdxImage pinned image}
     * is also required.
     *
     * @param verifier the TDX quote verifier (trusted Intel root)
     * @param collateral where the quote's collateral comes from
     * @param policy the TDX policy the verified quote must meet
     * @return this builder
     */
    public Builder tdx(TdxVerifier verifier, TdxCollateralSource collateral, TdxPolicy policy) {
      this.tdxVerifier = Objects.requireNonNull(verifier, "verifier");
      this.tdxCollateral = Objects.requireNonNull(collateral, "collateral");
      this.tdxPolicy = policy == null ? TdxPolicy.strict() : policy;
      return this;
    }

    /**
     * {@link #tdx(TdxVerifier, TdxCollateralSource, TdxPolicy)} with fixed collateral.
     *
     * @param verifier the TDX quote verifier (trusted Intel root)
     * @param collateral where the quote's collateral comes from
     * @param policy the TDX policy the verified quote must meet
     * @return this builder
     */
    public Builder tdx(TdxVerifier verifier, TdxCollateral collateral, TdxPolicy policy) {
      return tdx(verifier, TdxCollateralSource.fixed(collateral), policy);
    }

    /**
     * Adds an OS image TDX guests may run (its os_image_hash with the MRTD and RTMR0-2 it
     * produces); see {@link TdxPinnedImage}.
     *
     * @param image the image
     * @return this builder
     */
    public Builder tdxImage(TdxPinnedImage image) {
      tdxImages.add(Objects.requireNonNull(image, "image"));
      return this;
    }

    /**
     * Whether a TDX guest's measured key-provider event must name this KMS, {@code
     * {"name":"kms","id":"<hex root CA SPKI>"}} (default true, like the MrConfigV3 check for
     * SEV-SNP). When false, any key provider passes step 5 and the authorization hook sees it in
     * {@code keyProviderInfo}, which is what dstack's KMS does.
     *
     * @param require whether a TDX guest's measured key-provider event must name this KMS, {@code {"name":"kms","id":"<hex root CA SPKI>"}} (default true, like the MrConfigV3 check for SEV-SNP)
     * @return this builder
     */
    public Builder tdxRequireKeyProvider(boolean require) {
      this.tdxRequireKeyProvider = require;
      return this;
    }

    /**
     * The minimum TCB for SEV-SNP reports of {@code minimum.product()} (replacing an earlier one for
     * that product): step 3 refuses a report whose REPORTED_TCB or LAUNCH_TCB is below it in any
     * component ({@link SnpPolicy.Builder#minimumTcb}, {@link SnpPolicy.Builder#minimumLaunchTcb}),
     * and {@code tcbStatus} is {@code "UpToDate"} only at or above it. Reports of a product without a
     * minimum are refused ({@link KmsReason#NO_TCB_FLOOR}). Take the values from AMD's security
     * bulletins for the firmware you require (e.g. the TCB of the VCEK that AMD's KDS issues for
     * the patched firmware).
     *
     * @param minimum the floor for its product; all-zero SPLs are refused
     * @return this builder
     * @throws IllegalArgumentException if every SPL of {@code minimum} is zero (no floor at all)
     */
    public Builder minimumTcb(TcbVersion minimum) {
      Objects.requireNonNull(minimum, "minimum");
      if (minimum.raw() == 0) {
        throw new IllegalArgumentException(
            "a minimum TCB of zero for " + minimum.product() + " is no floor: every TCB, the oldest vulnerable"
                + " firmware included, would pass step 3 and be reported \"UpToDate\"; take the SPLs from AMD's"
                + " security bulletins, or call allowAnyTcb() to opt out of a floor explicitly");
      }
      minimumTcb.put(minimum.product(), minimum);
      return this;
    }

    /**
     * Opts out of the TCB floor: any TCB passes step 3 (platforms on old, vulnerable firmware
     * included), and {@code tcbStatus} is then never {@code "UpToDate"}: consistent TCBs are sent
     * as {@link BootInfo#TCB_STATUS_NOT_EVALUATED}, so TCB policy rests entirely with the
     * authorization hook. For tests and for deployments whose hook does its own TCB evaluation.
     *
     * @return this builder
     */
    public Builder allowAnyTcb() {
      this.allowAnyTcb = true;
      return this;
    }

    /**
     * The pinned launch artifacts (required).
     *
     * @param launch the pinned launch artifacts (required)
     * @return this builder
     */
    public Builder launch(PinnedLaunch launch) {
      this.launch = Objects.requireNonNull(launch, "launch");
      return this;
    }

    /**
     * The authorization hook (required; {@link AllowListAuthorizer} or {@link WebhookAuthorizer}).
     *
     * @param hook the authorization hook (required
     * @return this builder
     */
    public Builder authorization(AuthorizationHook hook) {
      this.authorization = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /**
     * Enables replica onboarding ({@link #releaseKmsKeys}, dstack's {@code GetKmsKey}) and decides
     * which KMS boots may receive the root secret, like dstack's {@code bootAuth/kms} (for
     * example a {@link WebhookAuthorizer} with path {@code bootAuth/kms}, or an {@link
     * AllowListAuthorizer} naming the KMS app). Without it every GetKmsKey is refused.
     *
     * @param hook the hook for KMS boots
     * @return this builder
     */
    public Builder replicaAuthorization(AuthorizationHook hook) {
      this.replicaAuthorization = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /**
     * How the app identity is bound (default {@link IdentityBinding#HOST_DATA}).
     *
     * @param binding how the app identity is bound (default {@link IdentityBinding#HOST_DATA})
     * @return this builder
     */
    public Builder identityBinding(IdentityBinding binding) {
      this.identityBinding = Objects.requireNonNull(binding, "binding");
      return this;
    }

    /**
     * What report_data[32..64] must carry (default {@link FreshnessMode#KMS_NONCE}).
     *
     * @param mode what report_data[32..64] must carry (default {@link FreshnessMode#KMS_NONCE})
     * @return this builder
     */
    public Builder freshness(FreshnessMode mode) {
      this.freshness = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * The nonce store (default: 60 s lifetime, 100,000 entries, this builder's clock).
     *
     * @param store the nonce store (default
     * @return this builder
     */
    public Builder nonceStore(NonceStore store) {
      this.nonces = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The envelope modes served, the first being the default for requests that do not ask.
     * Default: {@link EnvelopeMode#HPKE_V1} only. {@link EnvelopeMode#AES_SIV_PR630} is
     * unauthenticated and must be enabled explicitly.
     *
     * @param defaultMode the default mode
     * @param others the others
     * @return this builder
     */
    public Builder envelopes(EnvelopeMode defaultMode, EnvelopeMode... others) {
      this.defaultEnvelope = Objects.requireNonNull(defaultMode, "defaultMode");
      envelopes.clear();
      envelopes.add(defaultMode);
      envelopes.addAll(List.of(others));
      return this;
    }

    /**
     * Whether an MrConfigV3 document must carry this KMS's root CA key as {@code key_provider_id}
     * (default true). When false, an absent id is accepted; a different id is always refused.
     *
     * @param require whether an MrConfigV3 document must carry this KMS's root CA key as {@code key_provider_id} (default true)
     * @return this builder
     */
    public Builder requireKeyProviderId(boolean require) {
      this.requireKeyProviderId = require;
      return this;
    }

    /**
     * The root CA certificate (PEM) returned as {@code ca_cert}; default: the root keys' own
     * certificate ({@link KmsRootKeys#rootCaCertificatePem()}), so {@code ca_cert} is never empty.
     *
     * @param pem the certificate PEM
     * @return this builder
     */
    public Builder caCertPem(String pem) {
      this.caCertPem = Objects.requireNonNull(pem, "pem");
      return this;
    }

    /**
     * The clock for nonces, request times, certificate validity (default system UTC).
     *
     * @param clock the clock for nonces, request times, certificate validity (default system UTC)
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The service.
     *
     * @return the new {@code KeyReleaseService}
     * @throws IllegalStateException if a required part is missing, if SEV-SNP evidence has neither
     *     a {@linkplain #minimumTcb minimum TCB} nor the explicit {@link #allowAnyTcb()} (or both),
     *     or the identity binding is
     *     {@link IdentityBinding#COMMAND_LINE} and the pinned command line does not measure
     *     {@code {app_id}} and {@code {compose_hash}}
     */
    public KeyReleaseService build() {
      fetches = null; // each service gets its own pool, with this builder's current settings
      tdxRequestPath = null;
      if (snpVerifier != null) {
        if (minimumTcb.isEmpty() && !allowAnyTcb) {
          throw new IllegalStateException(
              "a key release service needs a TCB floor: call minimumTcb(TcbVersion) for each product you serve "
                  + "(e.g. TcbVersion.builder(Product.GENOA).bootloader(..).tee(..).snp(..).microcode(..).build(), "
                  + "from AMD's security bulletins), or allowAnyTcb() to accept any firmware and leave TCB "
                  + "policy to the authorization hook");
        }
        if (!minimumTcb.isEmpty() && allowAnyTcb) {
          throw new IllegalStateException(
              "both minimumTcb(" + minimumTcb.values() + ") and allowAnyTcb() were set; choose one");
        }
        boolean ownPolicy = snpPolicy != null;
        SnpPolicy policy = ownPolicy ? snpPolicy : SnpEvidence.strictWithFloors(minimumTcb);
        EndorsementSource requestPath = new RequestPathEndorsements(snpEndorsements, requestPathFetches());
        evidence =
            new SnpEvidence(
                snpVerifier, requestPath, policy, minimumTcb, !ownPolicy, requireVekInRequest, allowMaskedChipId);
      }
      boolean tdxOnly = evidence == null && launch == null && tdxVerifier != null;
      if (evidence == null && !tdxOnly) {
        throw new IllegalStateException("a key release service needs evidence verification (trust roots, policy)");
      }
      if (launch == null && !tdxOnly) {
        throw new IllegalStateException("a key release service needs the pinned launch artifacts");
      }
      if (authorization == null) {
        throw new IllegalStateException("a key release service needs an authorization hook");
      }
      if (keys == null) {
        throw new IllegalStateException("a key release service needs the KMS root keys");
      }
      if (identityDocuments == null || reportData == null) {
        throw new IllegalStateException("a key release service needs the MrConfigV3 and report_data codecs");
      }
      if (identityBinding == IdentityBinding.COMMAND_LINE && launch != null
          && !(launch.cmdline().binds("app_id") && launch.cmdline().binds("compose_hash"))) {
        throw new IllegalStateException(
            "COMMAND_LINE identity binding needs {app_id} and {compose_hash} in the pinned command line: \""
                + launch.cmdline() + "\"");
      }
      if (tdxVerifier != null && tdxImages.isEmpty()) {
        throw new IllegalStateException(
            "TDX evidence needs at least one pinned OS image: call tdxImage(new TdxPinnedImage(osImageHash, mrTd, "
                + "rtmr0, rtmr1, rtmr2)) for each image TDX guests may run");
      }
      if (tdxCollateral != null) {
        tdxRequestPath = new RequestPathCollateral(tdxCollateral, requestPathFetches());
      }
      if (nonces != null && !nonces.clock().equals(clock)) {
        LOG.log(Level.DEBUG, "the nonce store has its own clock");
      }
      return new KeyReleaseService(this);
    }
  }

}
