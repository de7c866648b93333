package org.example.consumer;

// region imports
import java.nio.file.Path;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.CmdlineTemplate;
import org.attest4j.kms.KeyRelease;
import org.attest4j.kms.KeyReleaseRequest;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.PinnedLaunch;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.LaunchDigest;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.VmmType;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpPolicy;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.VerifiedSnpReport;
import org.attest4j.snp.kds.EndorsementSource;
// endregion

// the checked exceptions the snippets can throw (named in the methods' throws clauses)
import java.io.IOException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.core.VerificationException;
import org.attest4j.kms.KeyReleaseException;

/**
 * The README's Java snippets, the only copy of their text. The README shows exactly the code between
 * each {@code // region NAME} and {@code // endregion} marker of this file, in order, indentation
 * removed (attest4j-examples' {@code ReadmeSnippetsTest} fails when the two differ). Each snippet is
 * the body of a method whose parameters are the values the snippet takes as given, and whose
 * {@code throws} clause names the checked exceptions it can throw; the file uses only the public API
 * of the published artifacts and imports nothing but the README's import block.
 *
 * <p>Compiled and run ({@link ReadmeSnippetsRunTest}) by the consumer projects in {@code it/src/it}
 * (on the module path and on the class path, protobuf-java 3.25.x and the newest 4.x) and by
 * attest4j-examples' tests. To change a README snippet, change it here and copy the region.
 */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  /** The "service" snippet: a key-release service pinned to one launch. */
  static KeyReleaseService service(
      SnpVerifier verifier,
      EndorsementSource endorsements,
      Path ovmfFile,
      Bytes kernelSha256,
      Bytes initrdSha256,
      String cmdline,
      Path certDir,
      Bytes appId,
      Bytes composeHash)
      throws IOException, MalformedEvidenceException {
    // region service
    // once, at start-up
    PinnedLaunch launch = PinnedLaunch.builder()
        .firmware(OvmfImage.parse(ovmfFile).prepare())            // the OVMF build the hosts launch
        .kernelDigest(kernelSha256).initrdDigest(initrdSha256)    // Bytes (32 each)
        .cmdline(CmdlineTemplate.of(cmdline))                     // e.g. "console=ttyS0 dstack.rootfs_hash=..."
        .allowVcpuCounts(2, 4).allowVcpuTypes("EPYC-v4")
        .vmmType(VmmType.QEMU).guestFeatures(0x1)
        .build();                                                 // InvalidConfigurationException if unusable
    KeyReleaseService kms = KeyReleaseService.builder()
        .snp(verifier, endorsements)                              // SnpVerifier.withAmdRoots(), KdsClient.create()
        .minimumTcb(TcbVersion.builder(Product.GENOA)             // required: a TCB floor per product
            .bootloader(10).tee(0).snp(25).microcode(84).build()) // (from AMD's security bulletins)
        .launch(launch)
        .rootKeys(KmsRootKeys.loadDirectory(certDir))
        .authorization(AllowListAuthorizer.builder()              // or AllowListAuthorizer.fromJson(path),
            .allowOsImage(launch.osImageHash())                   // or WebhookAuthorizer (dstack's auth API)
            .allowApp(appId, composeHash).build())
        .build();
    // endregion
    return kms;
  }

  /** The "release" snippet: one request. */
  static KeyRelease release(KeyReleaseService kms, KeyReleaseRequest request) throws KeyReleaseException {
    // region release
    // per request
    KeyRelease r = kms.release(request);   // a KeyReleaseRequest or dstack's GetAppKeyAmdRequest;
                                           // throws KeyReleaseException(step, reason)
    // endregion
    return r;
  }

  /** What the "pieces" snippet computes. */
  record Pieces(VerifiedSnpReport verified, Bytes expected, AppKeys keys, SealedResponse sealed) {}

  /** The "pieces" snippet: the steps used on their own. */
  static Pieces pieces(
      SnpVerifier verifier,
      byte[] reportBytes,
      byte[] vcekDer,
      byte[] certChainPem,
      OvmfImage ovmf,
      Artifact kernel,
      Artifact initrd,
      String cmdline,
      LaunchFeatures features,
      KmsRootKeys rootKeys,
      Bytes appId,
      Bytes instanceId,
      SealBinding binding,
      byte[] payload)
      throws MalformedEvidenceException, VerificationException, PolicyViolationException {
    // region pieces
    VerifiedSnpReport v = verifier.verify(reportBytes, vcekDer, certChainPem);  // byte[] in: raw evidence
    SnpPolicy.strict().validate(v);                                    // every failed rule at once
    Bytes expected = LaunchDigest.compute(ovmf, kernel, initrd, cmdline, features);
    AppKeys keys = AppKeyDeriver.of(rootKeys).derive(appId, instanceId);
    SealedResponse sealed = SealedResponse.encrypt(rootKeys.sealingIdentity(), binding, payload);
    // endregion
    return new Pieces(v, expected, keys, sealed);
  }
}
