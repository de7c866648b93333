package org.attest4j.snp.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.EvidenceUnavailableException;

/**
 * A 32-byte key the AMD Secure Processor derived for this guest (MSG_KEY_RSP), with the request it
 * answers. It is a secret: {@link #toString()} never shows it, {@link #equals} compares in constant
 * time, and {@link #destroy()} zeroes the copy held here.
 *
 * <p>Instances are thread-safe; {@link #destroy()} races with {@link #bytes()} only in that a copy
 * taken before the destroy stays with its caller.
 */
public final class SnpDerivedKey implements Destroyable {
  /** Length of a derived key in bytes. */
  public static final int SIZE = 32;
  /** Length of the MSG_KEY_RSP prefix the kernel copies out ({@code struct snp_derived_key_resp}). */
  public static final int RESPONSE_SIZE = 64;
  private static final int KEY_OFFSET = 0x20;

  private final byte[] key;
  private final SnpDerivedKeyRequest request;
  private volatile boolean destroyed;

  private SnpDerivedKey(byte[] key, SnpDerivedKeyRequest request) {
    this.key = key;
    this.request = request;
  }

  /**
   * Decodes an MSG_KEY_RSP as {@code SNP_GET_DERIVED_KEY} returns it ({@code struct
   * snp_derived_key_resp}: u32 STATUS at 0x00, 28 reserved bytes, DERIVED_KEY at 0x20..0x3F).
   *
   * @param response the 64 response bytes
   * @param request the request it answers (kept for reference)
   * @return the key
   * @throws EvidenceUnavailableException {@link SnpGuestReason#BAD_RESPONSE} if the response is not 64
   *     bytes or carries an all-zero key; {@link SnpGuestReason#FIRMWARE_ERROR} if STATUS is not 0
   *     (0x16 INVALID_PARAM: a VMPL below the requester's, a guest SVN or TCB above the launch's, or a
   *     field the firmware does not know)
   */
  public static SnpDerivedKey fromResponse(byte[] response, SnpDerivedKeyRequest request)
      throws EvidenceUnavailableException {
    Objects.requireNonNull(request, "request");
    if (response == null || response.length != RESPONSE_SIZE) {
      throw new EvidenceUnavailableException(
          SnpGuestReason.BAD_RESPONSE,
          "MSG_KEY_RSP must be " + RESPONSE_SIZE + " bytes, got " + (response == null ? "none" : response.length));
    }
    int status = ByteBuffer.wrap(response).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    if (status != 0) {
      throw new EvidenceUnavailableException(
          SnpGuestReason.FIRMWARE_ERROR,
          "the AMD Secure Processor refused the key request: MSG_KEY_RSP status 0x" + Integer.toHexString(status)
              + " (" + SevGuestAbi.firmwareErrorName(status) + ")"
              + (status == 0x16
                  ? "; check that the VMPL is at least the guest's, the guest SVN and TCB version do not exceed"
                      + " the launch's, and the selected fields are known to this firmware"
                  : ""));
    }
    byte[] k = Arrays.copyOfRange(response, KEY_OFFSET, KEY_OFFSET + SIZE);
    boolean zero = true;
    for (byte b : k) {
      zero &= b == 0;
    }
    if (zero) {
      throw new EvidenceUnavailableException(
          SnpGuestReason.BAD_RESPONSE, "MSG_KEY_RSP reports success but carries an all-zero key");
    }
    return new SnpDerivedKey(k, request);
  }

  /**
   * The key bytes.
   *
   * @return a fresh copy (the caller should zero it after use)
   * @throws IllegalStateException if {@link #destroy()} was called
   */
  public byte[] bytes() {
    if (destroyed) {
      throw new IllegalStateException("the derived key was destroyed");
    }
    return key.clone();
  }

  /**
   * The request this key answers.
   *
   * @return the request
   */
  public SnpDerivedKeyRequest request() {
    return request;
  }

  /** Zeroes the key held here; later {@link #bytes()} calls fail. */
  @Override
  public void destroy() {
    destroyed = true;
    Arrays.fill(key, (byte) 0);
  }

  /**
   * Whether {@link #destroy()} was called.
   *
   * @return true once destroyed
   */
  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  /** Constant-time comparison of the key bytes. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SnpDerivedKey k && ConstantTime.equals(key, k.key);
  }

  @Override
  public int hashCode() {
    return request.hashCode(); // never derived from the secret
  }

  @Override
  public String toString() {
    return "SnpDerivedKey[" + SIZE + " bytes, redacted; " + request + "]";
  }
}
