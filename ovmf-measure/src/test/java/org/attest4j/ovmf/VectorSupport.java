package org.attest4j.ovmf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.attest4j.core.Bytes;
import org.attest4j.testsupport.SharedData;

/** Turns a vectors.jsonl case into API inputs. */
final class VectorSupport {
  static final String DIR = "vectors/snp-measure/";

  private VectorSupport() {}

  static boolean isNull(JsonObject v, String k) {
    JsonElement e = v.get(k);
    return e == null || e.isJsonNull();
  }

  static Path file(JsonObject v, String k) {
    return SharedData.path(DIR + v.getAsJsonObject(k).get("file").getAsString());
  }

  static OvmfImage image(JsonObject v, String k) throws Exception {
    return OvmfImage.parse(file(v, k));
  }

  static SnpMode mode(JsonObject v) throws Exception {
    return SnpMode.parse(v.get("mode").getAsString());
  }

  static BootArtifacts boot(JsonObject v) throws Exception {
    if (isNull(v, "kernel")) {
      return BootArtifacts.none();
    }
    Artifact kernel = Artifact.of(file(v, "kernel"));
    Artifact initrd = isNull(v, "initrd") ? null : Artifact.of(file(v, "initrd"));
    String cmdline = isNull(v, "cmdline") ? null : v.get("cmdline").getAsString();
    return BootArtifacts.of(kernel, initrd, cmdline);
  }

  static LaunchFeatures features(JsonObject v) throws Exception {
    SnpMode mode = mode(v);
    LaunchFeatures.Builder b = LaunchFeatures.builder().mode(mode);
    if (mode == SnpMode.SNP_OVMF_HASH) {
      return b.build();
    }
    b.vcpus(v.get("vcpus").getAsInt());
    b.vmmType(VmmType.parse(v.get("vmm_type").getAsString()));
    if (!isNull(v, "vcpu_type")) {
      b.vcpuType(v.get("vcpu_type").getAsString());
    } else if (!isNull(v, "vcpu_family_model_stepping")) {
      var a = v.getAsJsonArray("vcpu_family_model_stepping");
      b.vcpuFamilyModelStepping(a.get(0).getAsInt(), a.get(1).getAsInt(), a.get(2).getAsInt());
    } else if (!isNull(v, "vcpu_sig")) {
      b.vcpuSignature(v.get("vcpu_sig").getAsLong());
    }
    if (!isNull(v, "guest_features")) {
      b.guestFeatures(v.get("guest_features").getAsLong());
    }
    if (!isNull(v, "ovmf_hash")) {
      b.firmwareDigest(Bytes.fromHex(v.get("ovmf_hash").getAsString()));
    }
    if (mode == SnpMode.SNP_SVSM) {
      b.svsm(image(v, "svsm"), v.get("ovmf_vars_size").getAsLong());
    }
    return b.build();
  }
}
