package org.attest4j.crypto;

/**
 * dstack's key provider kinds ({@code KeyProviderKind}): the JSON value in MrConfigV3, the name in
 * BootInfo's {@code keyProviderInfo}, and the kind byte of MRCONFIGID v2.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum KeyProviderKind {
  /** No key provider. */
  NONE("none", "none", 0),
  /** A local (SGX) key provider; named {@code local-sgx} in keyProviderInfo. */
  LOCAL("local", "local-sgx", 1),
  /** A dstack KMS; its id is the root CA SubjectPublicKeyInfo DER. */
  KMS("kms", "kms", 2),
  /** A TPM-based key provider. */
  TPM("tpm", "tpm", 3);

  private final String json;
  private final String infoName;
  private final int kindByte;

  KeyProviderKind(String json, String infoName, int kindByte) {
    this.json = json;
    this.infoName = infoName;
    this.kindByte = kindByte;
  }

  /**
   * The value in MrConfigV3's {@code key_provider} (serde snake_case).
   *
   * @return the snake_case name used in MrConfigV3 JSON
   */
  public String jsonValue() {
    return json;
  }

  /**
   * The {@code name} in BootInfo's keyProviderInfo JSON.
   *
   * @return the provider name as BootInfo reports it
   */
  public String infoName() {
    return infoName;
  }

  /**
   * The kind byte in MRCONFIGID v2.
   *
   * @return the byte that identifies this kind in an MRCONFIGID v2
   */
  public int kindByte() {
    return kindByte;
  }

  static KeyProviderKind fromJson(String value) {
    for (KeyProviderKind k : values()) {
      if (k.json.equals(value)) {
        return k;
      }
    }
    return null;
  }
}
