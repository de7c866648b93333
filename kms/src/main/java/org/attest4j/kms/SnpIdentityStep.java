package org.attest4j.kms;

import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;

/**
 * Step 5 for SEV-SNP: app_id, compose_hash and instance_id are bound to measured data (HOST_DATA or
 * the measured command line) and agree with the request. Immutable (its memo of parsed documents is
 * a thread-safe cache) and thread-safe.
 */
final class SnpIdentityStep {
  private final Ports.IdentityDocumentPort identityDocuments;
  private final BoundedCache<Bytes, Ports.IdentityDocument> documents = new BoundedCache<>(256);
  private final IdentityBinding identityBinding;
  private final PinnedLaunch launch;
  private final Bytes rootCaSpki;
  private final boolean requireKeyProviderId;

  SnpIdentityStep(Ports.IdentityDocumentPort identityDocuments, IdentityBinding identityBinding,
      PinnedLaunch launch, Bytes rootCaSpki, boolean requireKeyProviderId) {
    this.identityDocuments = identityDocuments;
    this.identityBinding = identityBinding;
    this.launch = launch;
    this.rootCaSpki = rootCaSpki;
    this.requireKeyProviderId = requireKeyProviderId;
  }

  /**
   * Binds the identity to HOST_DATA (the MrConfigV3 document's digest, which must name this KMS) or
   * to the measured command line; refuses with {@link KmsReason#HOST_DATA_MISMATCH}, {@link
   * KmsReason#KEY_PROVIDER_MISMATCH}, {@link KmsReason#IDENTITY_MISMATCH} or {@link
   * KmsReason#IDENTITY_NOT_BOUND}.
   */
  AppIdentity bind(KeyReleaseRequest req, Ports.Evidence ev) throws AttestationException {
    Ports.IdentityDocument doc = null;
    if (req.mrConfig().length() != 0) {
      doc = documents.get(req.mrConfig());
      if (doc == null) {
        doc = identityDocuments.parse(req.mrConfig());
        documents.put(req.mrConfig(), doc);
      }
      if (!doc.hostData().equals(ev.hostData())) {
        throw new VerificationException(
            KmsReason.HOST_DATA_MISMATCH,
            "HOST_DATA " + ev.hostData() + " is not the digest " + doc.hostData()
                + " of the MrConfigV3 document in the request; the document was not the one the guest launched with");
      }
      if (!"kms".equals(doc.keyProvider())) {
        throw new VerificationException(
            KmsReason.KEY_PROVIDER_MISMATCH,
            "the MrConfigV3 document names key provider \"" + doc.keyProvider() + "\", not \"kms\"");
      }
      if (doc.keyProviderId().length() != 0 ? !doc.keyProviderId().equals(rootCaSpki) : requireKeyProviderId) {
        throw new VerificationException(
            KmsReason.KEY_PROVIDER_MISMATCH,
            doc.keyProviderId().length() == 0
                ? "the MrConfigV3 document has no key_provider_id; this KMS requires its root CA key there"
                : "the MrConfigV3 key_provider_id is another KMS's key (" + AppIdentity.abbreviate(doc.keyProviderId())
                    + "), not this KMS's root CA key (" + AppIdentity.abbreviate(rootCaSpki) + ")");
      }
    } else if (identityBinding == IdentityBinding.HOST_DATA) {
      throw new VerificationException(
          KmsReason.IDENTITY_NOT_BOUND,
          "this KMS binds the app identity through HOST_DATA, but the request has no MrConfigV3 document (field mr_config)");
    }

    Bytes appId;
    Bytes compose;
    Bytes instance;
    if (identityBinding == IdentityBinding.HOST_DATA) {
      if (doc.appId().length() == 0) {
        throw new VerificationException(
            KmsReason.IDENTITY_NOT_BOUND, "the MrConfigV3 document has no app_id; this KMS needs it bound in HOST_DATA");
      }
      appId = doc.appId();
      compose = doc.composeHash();
      instance = doc.instanceId();
      AppIdentity.requireSame("app_id", req.appId(), appId, "HOST_DATA");
      AppIdentity.requireSame("compose_hash", req.composeHash(), compose, "HOST_DATA");
      AppIdentity.requireSame("instance_id", req.instanceId(), instance, "HOST_DATA");
      boundByCommandLineOrAbsent(req);
    } else {
      CmdlineTemplate t = launch.cmdline();
      // the template binds app_id and compose_hash (checked when building); step 4 measured them
      appId = req.appId();
      compose = req.composeHash();
      if (!t.binds("instance_id") && req.instanceId().length() != 0) {
        throw new VerificationException(
            KmsReason.IDENTITY_NOT_BOUND,
            "the request has an instance_id but the pinned command line does not measure it");
      }
      instance = req.instanceId();
      if (doc != null) {
        AppIdentity.requireSame("app_id", doc.appId(), appId, "the measured command line");
        AppIdentity.requireSame("compose_hash", doc.composeHash(), compose, "the measured command line");
        AppIdentity.requireSame("instance_id", doc.instanceId(), instance, "the measured command line");
      }
    }
    if (appId.length() != 20) {
      throw new VerificationException(KmsReason.IDENTITY_NOT_BOUND, "app_id must be 20 bytes, got " + appId.length());
    }
    if (compose.length() != 32) {
      throw new VerificationException(
          KmsReason.IDENTITY_NOT_BOUND, "compose_hash must be 32 bytes, got " + compose.length());
    }
    if (instance.length() != 0 && instance.length() != 20) {
      throw new VerificationException(
          KmsReason.IDENTITY_NOT_BOUND, "instance_id must be 20 bytes or empty, got " + instance.length());
    }
    return new AppIdentity(appId, compose, instance);
  }

  private void boundByCommandLineOrAbsent(KeyReleaseRequest req) throws VerificationException {
    // values that only the command line could bind must not float free of the measurement
    if (req.rootfsHash().length() != 0 && !launch.cmdline().binds("rootfs_hash")) {
      throw new VerificationException(
          KmsReason.IDENTITY_NOT_BOUND, "the request has a rootfs_hash that nothing measured binds");
    }
    if (req.dockerFilesHash().length() != 0 && !launch.cmdline().binds("docker_files_hash")) {
      throw new VerificationException(
          KmsReason.IDENTITY_NOT_BOUND, "the request has a docker_files_hash that nothing measured binds");
    }
  }
}
