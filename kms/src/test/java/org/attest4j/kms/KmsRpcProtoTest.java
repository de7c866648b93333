package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import org.attest4j.kms.proto.AppKeyAmdResponse;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.kms.proto.GetMetaResponse;
import org.attest4j.kms.proto.KmsRpcProto;
import org.attest4j.kms.proto.OvmfSection;
import org.attest4j.kms.proto.PublicKeyResponse;
import org.junit.jupiter.api.Test;

/** The wire contract with dstack's kms_rpc.proto (spec §2.1): package, names, numbers, types. */
class KmsRpcProtoTest {
  private static void field(Descriptor d, String name, int number, Type type) {
    FieldDescriptor f = d.findFieldByName(name);
    assertNotNull(f, d.getName() + "." + name);
    assertEquals(number, f.getNumber(), d.getName() + "." + name);
    assertEquals(type, f.getType(), d.getName() + "." + name);
  }

  @Test
  void packageIsKms() {
    assertEquals("kms", KmsRpcProto.getDescriptor().getPackage());
    assertEquals("kms.GetAppKeyAmdRequest", GetAppKeyAmdRequest.getDescriptor().getFullName());
  }

  @Test
  void getAppKeyAmdRequestMatchesPr630() {
    Descriptor d = GetAppKeyAmdRequest.getDescriptor();
    field(d, "snp_report", 1, Type.BYTES);
    field(d, "ask_pem", 2, Type.BYTES);
    field(d, "vcek_pem", 3, Type.BYTES);
    field(d, "app_id", 4, Type.STRING);
    field(d, "compose_hash", 5, Type.STRING);
    field(d, "rootfs_hash", 6, Type.STRING);
    field(d, "ovmf_hash", 7, Type.STRING);
    field(d, "kernel_hash", 8, Type.STRING);
    field(d, "initrd_hash", 9, Type.STRING);
    field(d, "vcpus", 10, Type.UINT32);
    field(d, "vcpu_type", 11, Type.STRING);
    field(d, "docker_files_hash", 12, Type.STRING);
    field(d, "sev_hashes_table_gpa", 13, Type.UINT64);
    field(d, "sev_es_reset_eip", 14, Type.UINT32);
    field(d, "ovmf_sections", 15, Type.MESSAGE);
    assertEquals(true, d.findFieldByName("ovmf_sections").isRepeated());
  }

  @Test
  void responsesAndSectionsMatch() {
    Descriptor s = OvmfSection.getDescriptor();
    field(s, "gpa", 1, Type.UINT32);
    field(s, "size", 2, Type.UINT32);
    field(s, "section_type", 3, Type.UINT32);
    for (Descriptor d : new Descriptor[] {AppKeyResponse.getDescriptor(), AppKeyAmdResponse.getDescriptor()}) {
      field(d, "ca_cert", 1, Type.STRING);
      field(d, "disk_crypt_key", 2, Type.BYTES);
      field(d, "env_crypt_key", 3, Type.BYTES);
      field(d, "k256_key", 4, Type.BYTES);
      field(d, "k256_signature", 5, Type.BYTES);
      field(d, "tproxy_app_id", 6, Type.STRING);
      field(d, "gateway_app_id", 7, Type.STRING);
      field(d, "os_image_hash", 8, Type.BYTES);
    }
    field(AppKeyAmdResponse.getDescriptor(), "key_provider_pubkey", 9, Type.BYTES);
    Descriptor p = PublicKeyResponse.getDescriptor();
    field(p, "public_key", 1, Type.BYTES);
    field(p, "signature", 2, Type.BYTES);
    field(p, "timestamp", 3, Type.UINT64);
    field(p, "signature_v1", 4, Type.BYTES);
    Descriptor m = GetMetaResponse.getDescriptor();
    field(m, "ca_cert", 1, Type.STRING);
    field(m, "allow_any_upgrade", 2, Type.BOOL);
    field(m, "k256_pubkey", 3, Type.BYTES);
    field(m, "bootstrap_info", 4, Type.MESSAGE);
    field(m, "is_dev", 5, Type.BOOL);
    field(m, "gateway_app_id", 6, Type.STRING);
    field(m, "chain_id", 8, Type.UINT64);
    assertEquals(true, m.findFieldByName("chain_id").hasPresence(), "optional in dstack");
  }

  @Test
  void aPr630ClientIgnoringAdditionsSeesDstacksMessage() throws Exception {
    // a response with attest4j's additions parses as dstack's plain AppKeyResponse fields 1-8
    AppKeyAmdResponse r = AppKeyAmdResponse.newBuilder().setCaCert("ca").setGatewayAppId("gw")
        .setSealedKeys(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3}))
        .setEnvelope(org.attest4j.kms.proto.EnvelopeMode.ENVELOPE_HPKE_V1).build();
    AppKeyResponse asDstack = AppKeyResponse.parseFrom(r.toByteArray());
    assertEquals("ca", asDstack.getCaCert());
    assertEquals("gw", asDstack.getGatewayAppId());
  }
}
