package org.attest4j.examples;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.attest4j.core.Bytes;
import org.attest4j.core.AttestationException;
import org.attest4j.core.InvalidConfigurationException;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.EnvEncryptPublicKey;
import org.attest4j.crypto.K256Signatures;
import org.attest4j.crypto.KmsRootKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code attest4j keys derive}: the app keys a dstack KMS derives for an app, byte for byte. With
 * {@code --json} it prints one JSON object with lowercase hex values named as in dstack's vectors
 * ({@code disk_crypt_key}, {@code env_crypt_key}, {@code env_pubkey}, {@code app_ca_pubkey},
 * {@code k256_key}, {@code k256_pubkey_compressed}, {@code k256_signature}, ...), secrets included.
 * Without it, secrets are shown only as SHA-256 fingerprints. Exit status 0, 1 when the key files or
 * ids are refused (reason on stderr), 2 for usage errors.
 */
@Command(
    name = "derive",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Derive an app's keys exactly as a dstack KMS does (GetAppKey, GetAppEnvEncryptPubKey, app CA).",
      "--json prints every value as lowercase hex, secrets included; plain output fingerprints the secrets."
    })
final class KeysDeriveCommand implements Callable<Integer> {
  private static final HexFormat HEX = HexFormat.of();

  @Spec CommandSpec spec;

  // Options are plain strings checked in call(), so that every usage error exits with 2 whatever
  // the top-level exit-code mapper does.
  @Option(names = "--root-ca-key", paramLabel = "FILE",
      description = "dstack root-ca.key: the P-256 root CA key, PEM PKCS#8 (required)")
  String rootCaKey;

  @Option(names = "--root-k256-key", paramLabel = "FILE",
      description = "dstack root-k256.key: the secp256k1 root key, raw 32 bytes (required)")
  String rootK256Key;

  @Option(names = "--app-id", paramLabel = "HEX",
      description = "The app id (20 bytes, hex; an optional 0x prefix is accepted) (required)")
  String appIdHex;

  @Option(names = "--instance-id", paramLabel = "HEX",
      description = "The instance id (20 bytes, hex); omit or give \"\" for none")
  String instanceIdHex = "";

  @Option(names = "--timestamp", paramLabel = "SECONDS",
      description = "Also sign the env-encrypt public key with this unix time (signature_v1)")
  String timestampText;

  @Unmatched List<String> unmatched = new ArrayList<>();

  @Option(names = "--json", description = "Print one JSON object with every value in lowercase hex")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    byte[] appId;
    byte[] instanceId;
    Long timestamp;
    try {
      if (!unmatched.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "unrecognized arguments: " + String.join(" ", unmatched));
      }
      require(rootCaKey, "--root-ca-key");
      require(rootK256Key, "--root-k256-key");
      require(appIdHex, "--app-id");
      appId = hex(appIdHex, "--app-id");
      instanceId = hex(instanceIdHex, "--instance-id");
      timestamp = timestampText == null ? null : parseTimestamp(timestampText);
    } catch (ParameterException e) {
      return KeysCli.usageError(spec, e);
    }
    try {
      KmsRootKeys roots = KmsRootKeys.load(Path.of(rootCaKey), Path.of(rootK256Key));
      AppKeyDeriver deriver = AppKeyDeriver.of(roots);
      AppKeys k = deriver.derive(Bytes.of(appId), Bytes.of(instanceId));
      EnvEncryptPublicKey env = deriver.envEncryptPublicKey(Bytes.of(appId), timestamp == null ? 0L : timestamp);
      byte[] diskDer = deriver.diskCryptKeyPkcs8(Bytes.of(appId), Bytes.of(instanceId));
      JsonObject o = new JsonObject();
      o.addProperty("app_id", k.appId().toHex());
      o.addProperty("instance_id", k.instanceId().toHex());
      secret(o, "disk_crypt_key", k.diskCryptKey());
      secret(o, "disk_crypt_key_p256_scalar", Arrays.copyOfRange(diskDer, 36, 68));
      secret(o, "disk_crypt_key_pkcs8_der", diskDer);
      secret(o, "env_crypt_key", k.envCryptKey());
      o.addProperty("env_pubkey", k.envPublicKey().toHex());
      secret(o, "app_ca_scalar", k.appCaKey());
      o.addProperty("app_ca_pubkey", k.appCaPublicKey().toHex());
      secret(o, "k256_key", k.k256Key());
      o.addProperty("k256_pubkey_compressed", k.k256PublicKey().toHex());
      String issued = K256Signatures.KMS_ISSUED;
      o.addProperty("k256_signature_message", HEX.formatHex(K256Signatures.message(issued, appId, k.k256PublicKey().toByteArray())));
      o.addProperty("k256_signature_digest", HEX.formatHex(K256Signatures.digest(issued, appId, k.k256PublicKey().toByteArray())));
      o.addProperty("k256_signature", k.k256Signature().toHex());
      String envPrefix = K256Signatures.ENV_ENCRYPT_PUBKEY;
      o.addProperty("env_pubkey_signature_message", HEX.formatHex(K256Signatures.message(envPrefix, appId, env.publicKey().toByteArray())));
      o.addProperty("env_pubkey_signature_digest", HEX.formatHex(K256Signatures.digest(envPrefix, appId, env.publicKey().toByteArray())));
      o.addProperty("env_pubkey_signature", env.signature().toHex());
      if (timestamp != null) {
        byte[] v1 = v1Message(env.timestamp(), env.publicKey().toByteArray());
        o.addProperty("timestamp", env.timestamp());
        o.addProperty("env_pubkey_signature_v1_message", HEX.formatHex(K256Signatures.message(envPrefix, appId, v1)));
        o.addProperty("env_pubkey_signature_v1_digest", HEX.formatHex(K256Signatures.digest(envPrefix, appId, v1)));
        o.addProperty("env_pubkey_signature_v1", env.signatureV1().toHex());
      }
      o.addProperty("root_ca_spki_der", roots.rootCaPublicKeySpki().toHex());
      o.addProperty("root_k256_pubkey_compressed", roots.rootK256PublicKey().toHex());
      if (json) {
        out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(o));
      } else {
        for (String name : o.keySet()) {
          out.println(name + ": " + o.get(name).getAsString());
        }
        out.println("(secrets are shown as sha256 fingerprints; use --json to print them)");
      }
      out.flush();
      return 0;
    } catch (AttestationException e) {
      err.println("attest4j keys derive: refused (" + e.reason().qualifiedCode() + "): " + e.getMessage());
      return Main.EXIT_REFUSED;
    } catch (InvalidConfigurationException e) {
      err.println("attest4j keys derive: refused (" + e.reason().qualifiedCode() + "): " + e.getMessage());
      return Main.EXIT_REFUSED;
    } catch (RuntimeException e) {
      err.println("attest4j keys derive: refused: " + e);
      return Main.EXIT_REFUSED;
    } finally {
      err.flush();
    }
  }

  /** u64be(timestamp) || public key: the message of signature_v1 after prefix and app id. */
  private static byte[] v1Message(long timestamp, byte[] publicKey) {
    byte[] out = new byte[8 + publicKey.length];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (timestamp >>> (56 - 8 * i));
    }
    System.arraycopy(publicKey, 0, out, 8, publicKey.length);
    return out;
  }

  private void secret(JsonObject o, String name, byte[] value) {
    if (json) {
      o.addProperty(name, HEX.formatHex(value));
    } else {
      o.addProperty(name + "_sha256", HEX.formatHex(sha256(value)));
    }
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void require(String value, String option) {
    if (value == null) {
      throw new ParameterException(spec.commandLine(), "missing required option " + option);
    }
  }

  private Long parseTimestamp(String text) {
    try {
      long v = Long.parseLong(text.strip());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), "--timestamp: '" + text + "' is not unix seconds");
    }
  }

  /** Hex (upper or lower case, optional 0x prefix) to bytes; anything else is a usage error. */
  private byte[] hex(String value, String option) {
    String h = value.strip();
    if (h.startsWith("0x") || h.startsWith("0X")) {
      h = h.substring(2);
    }
    try {
      return HEX.parseHex(h);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": '" + value + "' is not hex");
    }
  }
}
