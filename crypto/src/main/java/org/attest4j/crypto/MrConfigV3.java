package org.attest4j.crypto;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * dstack's MrConfigV3 document ({@code dstack-types/src/mr_config.rs}): the JSON object that binds an
 * app's identity (app_id, compose_hash, instance_id, key provider) to the launch. On SEV-SNP its
 * digest is the report's HOST_DATA; on TDX it is in MRCONFIGID v3:
 *
 * <pre>
 *   HOST_DATA   = SHA-256("dstack-mr-config-v3:" || 0x00 || document bytes)
 *   MRCONFIGID  = 0x03 || HOST_DATA || 0x00 * 15
 * </pre>
 *
 * Verifiers hash the received bytes as they are, never a re-canonicalised form: {@link #parse} keeps
 * the exact bytes and only checks them (an object with the known keys, no unknown or duplicate keys,
 * {@code version} 3, hex values of the right lengths). {@link #builder()} writes the JCS (RFC 8785)
 * form, as dstack's host does.
 *
 * <p>Immutable and thread-safe.
 */
public final class MrConfigV3 {
  private static final byte[] HOST_DATA_PREFIX = Kdf.concat(Kdf.ascii("dstack-mr-config-v3:"), new byte[] {0});
  private static final int MAX_DOCUMENT = 1 << 20;
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] document;
  private final byte[] appId;
  private final byte[] composeHash;
  private final byte[] gpuPolicyHash;
  private final KeyProviderKind keyProvider;
  private final byte[] keyProviderId;
  private final byte[] instanceId;
  private final List<byte[]> initScriptHashes;
  private final byte[] hostData;

  private MrConfigV3(
      byte[] document,
      byte[] appId,
      byte[] composeHash,
      byte[] gpuPolicyHash,
      KeyProviderKind keyProvider,
      byte[] keyProviderId,
      byte[] instanceId,
      List<byte[]> initScriptHashes) {
    this.document = document;
    this.appId = appId;
    this.composeHash = composeHash;
    this.gpuPolicyHash = gpuPolicyHash;
    this.keyProvider = keyProvider;
    this.keyProviderId = keyProviderId;
    this.instanceId = instanceId;
    this.initScriptHashes = initScriptHashes;
    this.hostData = digestOf(document);
  }

  /**
   * SHA-256("dstack-mr-config-v3:" || 0x00 || document): HOST_DATA of any document bytes.
   *
   * @param document the document bytes, hashed exactly as given
   * @return the 32-byte HOST_DATA digest
   */
  public static Bytes hostDataOf(byte[] document) {
    return Bytes.of(digestOf(document));
  }

  private static byte[] digestOf(byte[] document) {
    return Kdf.sha256(HOST_DATA_PREFIX, Objects.requireNonNull(document, "document"));
  }

  /**
   * Parses and validates a document, keeping its exact bytes.
   *
   * @param document the document's exact bytes
   * @return the parsed, validated document
   * @throws MalformedEvidenceException if it is not a valid MrConfigV3 document
   */
  public static MrConfigV3 parse(byte[] document) throws MalformedEvidenceException {
    Objects.requireNonNull(document, "document");
    if (document.length > MAX_DOCUMENT) {
      throw bad("the MrConfigV3 document is " + document.length + " bytes; at most " + MAX_DOCUMENT);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(document))
              .toString();
    } catch (CharacterCodingException e) {
      throw bad("the MrConfigV3 document is not valid UTF-8");
    }
    try (JsonReader r = new JsonReader(new StringReader(text))) {
      r.setStrictness(Strictness.STRICT);
      if (r.peek() != JsonToken.BEGIN_OBJECT) {
        throw bad("the MrConfigV3 document is not a JSON object");
      }
      r.beginObject();
      Set<String> seen = new HashSet<>();
      Integer version = null;
      byte[] appId = null;
      byte[] compose = null;
      byte[] gpu = null;
      KeyProviderKind kind = null;
      byte[] kpId = null;
      byte[] instance = null;
      List<byte[]> init = null;
      while (r.hasNext()) {
        String name = r.nextName();
        if (!seen.add(name)) {
          throw bad("duplicate field '" + name + "' in the MrConfigV3 document");
        }
        switch (name) {
          case "version":
            if (r.peek() != JsonToken.NUMBER) {
              throw bad("MrConfigV3 'version' must be the number 3");
            }
            String v = r.nextString();
            if (!v.equals("3")) {
              throw bad("MrConfigV3 'version' is " + v + "; only version 3 is known");
            }
            version = 3;
            break;
          case "app_id":
            appId = optionalHex(r, name, 20);
            break;
          case "compose_hash":
            compose = hex(r, name, 32);
            break;
          case "gpu_policy_hash":
            gpu = optionalHex(r, name, 32);
            break;
          case "key_provider":
            if (r.peek() != JsonToken.STRING) {
              throw bad("MrConfigV3 'key_provider' must be a string");
            }
            String k = r.nextString();
            kind = KeyProviderKind.fromJson(k);
            if (kind == null) {
              throw bad("MrConfigV3 'key_provider' is '" + k + "'; expected none, kms, local or tpm");
            }
            break;
          case "key_provider_id":
            kpId = optionalHex(r, name, -1);
            break;
          case "instance_id":
            instance = optionalHex(r, name, 20);
            break;
          case "init_script_hashes":
            if (r.peek() == JsonToken.NULL) {
              r.nextNull();
              break;
            }
            if (r.peek() != JsonToken.BEGIN_ARRAY) {
              throw bad("MrConfigV3 'init_script_hashes' must be an array of hex strings");
            }
            init = new ArrayList<>();
            r.beginArray();
            while (r.hasNext()) {
              init.add(hex(r, "init_script_hashes[" + init.size() + "]", 32));
            }
            r.endArray();
            break;
          default:
            throw bad("unknown field '" + name + "' in the MrConfigV3 document");
        }
      }
      r.endObject();
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw bad("data after the MrConfigV3 JSON object");
      }
      if (version == null) {
        throw bad("the MrConfigV3 document has no 'version'");
      }
      if (compose == null) {
        throw bad("the MrConfigV3 document has no 'compose_hash'");
      }
      if (kind == null) {
        throw bad("the MrConfigV3 document has no 'key_provider'");
      }
      return new MrConfigV3(
          document.clone(), appId, compose, gpu, kind, kpId == null ? new byte[0] : kpId, instance,
          init == null ? null : Collections.unmodifiableList(init));
    } catch (MalformedEvidenceException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw bad("the MrConfigV3 document is not valid JSON: " + e.getMessage());
    }
  }

  private static byte[] optionalHex(JsonReader r, String name, int len) throws IOException, MalformedEvidenceException {
    if (r.peek() == JsonToken.NULL) {
      r.nextNull();
      return null;
    }
    return hex(r, name, len);
  }

  private static byte[] hex(JsonReader r, String name, int len) throws IOException, MalformedEvidenceException {
    if (r.peek() != JsonToken.STRING) {
      throw bad("MrConfigV3 '" + name + "' must be a hex string");
    }
    String s = r.nextString();
    byte[] b;
    try {
      b = HEX.parseHex(s);
    } catch (IllegalArgumentException e) {
      throw bad("MrConfigV3 '" + name + "' is not hex");
    }
    if (len >= 0 && b.length != len) {
      throw bad("MrConfigV3 '" + name + "' must be " + len + " bytes, got " + b.length);
    }
    return b;
  }

  private static MalformedEvidenceException bad(String msg) {
    return new MalformedEvidenceException(CryptoReason.MALFORMED_MR_CONFIG, msg);
  }

  /**
   * A builder that writes the JCS (RFC 8785) form of a document.
   *
   * @return a new, empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The exact document bytes (a copy).
   *
   * @return a copy of the bytes the document was parsed from
   */
  public byte[] documentBytes() {
    return document.clone();
  }

  /**
   * The app id (20 bytes), if present.
   *
   * @return the app id, or empty if the document has none
   */
  public Optional<Bytes> appId() {
    return Optional.ofNullable(appId).map(Bytes::of);
  }

  /**
   * The compose hash (32 bytes).
   *
   * @return the 32-byte compose hash
   */
  public Bytes composeHash() {
    return Bytes.of(composeHash);
  }

  /**
   * The GPU policy hash (32 bytes), if present.
   *
   * @return the GPU policy hash, or empty if the document has none
   */
  public Optional<Bytes> gpuPolicyHash() {
    return Optional.ofNullable(gpuPolicyHash).map(Bytes::of);
  }

  /**
   * The key provider kind.
   *
   * @return the document's {@code key_provider}
   */
  public KeyProviderKind keyProvider() {
    return keyProvider;
  }

  /**
   * The key provider id (empty if absent); for a KMS the root CA SubjectPublicKeyInfo DER.
   *
   * @return the key provider id, empty if the document has none
   */
  public Bytes keyProviderId() {
    return Bytes.of(keyProviderId);
  }

  /**
   * The instance id (20 bytes), if present.
   *
   * @return the instance id, or empty if the document has none
   */
  public Optional<Bytes> instanceId() {
    return Optional.ofNullable(instanceId).map(Bytes::of);
  }

  /**
   * The init script hashes, if present (possibly an empty list).
   *
   * @return the 32-byte hashes in document order (an unmodifiable list), or empty if the field is
   *     absent
   */
  public Optional<List<Bytes>> initScriptHashes() {
    if (initScriptHashes == null) {
      return Optional.empty();
    }
    List<Bytes> out = new ArrayList<>();
    for (byte[] h : initScriptHashes) {
      out.add(Bytes.of(h));
    }
    return Optional.of(Collections.unmodifiableList(out));
  }

  /**
   * HOST_DATA (32 bytes): SHA-256("dstack-mr-config-v3:" || 0x00 || document).
   *
   * @return the 32-byte HOST_DATA digest
   */
  public Bytes hostData() {
    return Bytes.of(hostData);
  }

  /**
   * MRCONFIGID v3 (48 bytes).
   *
   * @return the 48 bytes {@code 0x03 || HOST_DATA || 0x00 * 15}
   */
  public Bytes mrConfigId() {
    return Bytes.of(MrConfigId.v3(hostData));
  }

  /**
   * MRCONFIGID v1 (48 bytes) of this document's compose hash.
   *
   * @return the 48 bytes {@code 0x01 || compose_hash || 0x00 * 15}
   */
  public Bytes mrConfigIdV1() {
    return Bytes.of(MrConfigId.v1(composeHash));
  }

  /**
   * MRCONFIGID v2 (48 bytes), which needs an app id.
   *
   * @return the 48-byte v2 value, or empty if the document has no app id
   */
  public Optional<Bytes> mrConfigIdV2() {
    return appId == null
        ? Optional.empty()
        : Optional.of(Bytes.of(MrConfigId.v2(composeHash, appId, keyProvider, keyProviderId)));
  }

  /**
   * BootInfo's keyProviderInfo JSON: {@code {"name":<infoName>,"id":<hex key_provider_id>}} (the
   * auth webhook receives the hex of these UTF-8 bytes).
   *
   * @return the JSON text, with the key provider id in lowercase hex
   */
  public String keyProviderInfo() {
    return "{\"name\":\"" + keyProvider.infoName() + "\",\"id\":\"" + HEX.formatHex(keyProviderId) + "\"}";
  }

  /**
   * The KMS public key this document trusts (its key_provider_id), for {@link SealedResponse#open}.
   *
   * @return the P-256 public key named by {@code key_provider_id}
   * @throws MalformedEvidenceException if the key provider is not a KMS or the id is not a P-256
   *     SubjectPublicKeyInfo
   */
  public KmsPublicKey kmsPublicKey() throws MalformedEvidenceException {
    if (keyProvider != KeyProviderKind.KMS) {
      throw bad("the MrConfigV3 key provider is '" + keyProvider.jsonValue() + "', not 'kms'");
    }
    return KmsPublicKey.fromSpki(keyProviderId);
  }

  /**
   * SEV-SNP BootInfo mr_system = SHA-256(MEASUREMENT) (dstack's merged SEV-SNP path).
   *
   * @param measurement the report's MEASUREMENT field
   * @return the 32-byte SHA-256 digest
   */
  public static Bytes snpMrSystem(Bytes measurement) {
    return Bytes.of(Kdf.sha256(Objects.requireNonNull(measurement, "measurement").toByteArray()));
  }

  /**
   * SEV-SNP BootInfo mr_aggregated = SHA-256(MEASUREMENT || HOST_DATA of this document).
   *
   * @param measurement the report's MEASUREMENT field
   * @return the 32-byte SHA-256 digest
   */
  public Bytes snpMrAggregated(Bytes measurement) {
    return Bytes.of(Kdf.sha256(Objects.requireNonNull(measurement, "measurement").toByteArray(), hostData));
  }

  /**
   * Checks, in constant time, that a report's HOST_DATA is this document's digest.
   *
   * @param reportHostData the HOST_DATA field of the SEV-SNP report
   * @throws VerificationException if it is not
   */
  public void checkHostData(Bytes reportHostData) throws VerificationException {
    Objects.requireNonNull(reportHostData, "reportHostData");
    if (!reportHostData.equalsBytes(hostData)) {
      throw new VerificationException(
          CryptoReason.HOST_DATA_MISMATCH,
          "HOST_DATA " + reportHostData.toHex() + " is not the MrConfigV3 digest "
              + HEX.formatHex(hostData) + " of the document sent (hashed as received, not re-canonicalised)");
    }
  }

  /**
   * Checks, in constant time, that a TDX MRCONFIGID is v3 of this document.
   *
   * @param mrConfigId the 48-byte MRCONFIGID of the TD report
   * @throws VerificationException if it is not
   */
  public void checkMrConfigId(Bytes mrConfigId) throws VerificationException {
    Objects.requireNonNull(mrConfigId, "mrConfigId");
    if (!mrConfigId.equals(mrConfigId())) {
      throw new VerificationException(
          CryptoReason.HOST_DATA_MISMATCH,
          "MRCONFIGID " + mrConfigId.toHex() + " is not 03 || "
              + HEX.formatHex(hostData) + " || 00*15 of the MrConfigV3 document sent");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MrConfigV3 m && java.security.MessageDigest.isEqual(document, m.document);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(document);
  }

  /** The document text (public data). */
  @Override
  public String toString() {
    return "MrConfigV3" + new String(document, StandardCharsets.UTF_8);
  }

  /** Builds the JCS form of an MrConfigV3 document. Not thread-safe; use one per thread. */
  public static final class Builder {
    private byte[] appId;
    private byte[] composeHash;
    private byte[] gpuPolicyHash;
    private KeyProviderKind keyProvider;
    private byte[] keyProviderId;
    private byte[] instanceId;
    private List<byte[]> initScriptHashes;

    private Builder() {}

    /**
     * The 20-byte app id (optional).
     *
     * @param v the app id, or {@code null} to omit it
     * @return this builder
     */
    public Builder appId(Bytes v) {
      this.appId = v == null ? null : v.toByteArray();
      return this;
    }

    /**
     * The 32-byte compose hash (required).
     *
     * @param v the compose hash
     * @return this builder
     */
    public Builder composeHash(Bytes v) {
      this.composeHash = v == null ? null : v.toByteArray();
      return this;
    }

    /**
     * The 32-byte GPU policy hash (optional).
     *
     * @param v the GPU policy hash, or {@code null} to omit it
     * @return this builder
     */
    public Builder gpuPolicyHash(Bytes v) {
      this.gpuPolicyHash = v == null ? null : v.toByteArray();
      return this;
    }

    /**
     * The key provider kind (required).
     *
     * @param v the key provider kind
     * @return this builder
     */
    public Builder keyProvider(KeyProviderKind v) {
      this.keyProvider = v;
      return this;
    }

    /**
     * The key provider id (optional; omitted when empty).
     *
     * @param v the key provider id, or {@code null} to omit it
     * @return this builder
     */
    public Builder keyProviderId(Bytes v) {
      this.keyProviderId = v == null ? null : v.toByteArray();
      return this;
    }

    /**
     * The 20-byte instance id (optional).
     *
     * @param v the instance id, or {@code null} to omit it
     * @return this builder
     */
    public Builder instanceId(Bytes v) {
      this.instanceId = v == null ? null : v.toByteArray();
      return this;
    }

    /**
     * The init script hashes (optional; an empty list is written as []).
     *
     * @param v the 32-byte hashes in order, or {@code null} to omit the field (list copied)
     * @return this builder
     */
    public Builder initScriptHashes(List<Bytes> v) {
      if (v == null) {
        this.initScriptHashes = null;
        return this;
      }
      List<byte[]> copy = new ArrayList<>(v.size());
      for (Bytes h : v) {
        copy.add(Objects.requireNonNull(h, "initScriptHashes element").toByteArray());
      }
      this.initScriptHashes = copy;
      return this;
    }

    /**
     * Writes the JCS document (keys in sorted order, no whitespace) and parses it back.
     *
     * @return the document parsed from the bytes just written
     * @throws MalformedEvidenceException if a value is missing or has the wrong length
     */
    public MrConfigV3 build() throws MalformedEvidenceException {
      if (composeHash == null || keyProvider == null) {
        throw bad("an MrConfigV3 document needs compose_hash and key_provider");
      }
      // JCS: member names sorted by UTF-16 code units; all values are ASCII strings or integers.
      StringBuilder sb = new StringBuilder("{");
      if (appId != null) {
        member(sb, "app_id", HEX.formatHex(appId));
      }
      member(sb, "compose_hash", HEX.formatHex(composeHash));
      if (gpuPolicyHash != null) {
        member(sb, "gpu_policy_hash", HEX.formatHex(gpuPolicyHash));
      }
      if (initScriptHashes != null) {
        sb.append("\"init_script_hashes\":[");
        for (int i = 0; i < initScriptHashes.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          sb.append('"').append(HEX.formatHex(initScriptHashes.get(i))).append('"');
        }
        sb.append("],");
      }
      if (instanceId != null) {
        member(sb, "instance_id", HEX.formatHex(instanceId));
      }
      member(sb, "key_provider", keyProvider.jsonValue());
      if (keyProviderId != null && keyProviderId.length > 0) {
        member(sb, "key_provider_id", HEX.formatHex(keyProviderId));
      }
      sb.append("\"version\":3}");
      return parse(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void member(StringBuilder sb, String name, String value) {
      sb.append('"').append(name).append("\":\"").append(value).append("\",");
    }
  }
}
