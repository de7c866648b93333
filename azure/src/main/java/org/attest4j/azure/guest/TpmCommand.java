package org.attest4j.azure.guest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Marshals one TPM 2.0 command (TPM 2.0 Part 1, 18; Part 3): header, handles, an optional empty-password
 * authorization (TPM_RS_PW), and big-endian parameters. Not thread-safe; one instance per command.
 */
final class TpmCommand {
  static final int TPM_ST_NO_SESSIONS = 0x8001;
  static final int TPM_ST_SESSIONS = 0x8002;
  static final int TPM_RS_PW = 0x40000009;

  private final int code;
  private final ByteArrayOutputStream handles = new ByteArrayOutputStream();
  private final ByteArrayOutputStream params = new ByteArrayOutputStream();
  private int sessions;

  TpmCommand(int code) {
    this.code = code;
  }

  TpmCommand handle(int h) {
    u32(handles, h);
    return this;
  }

  /** Adds one empty-password session (for each handle that needs authorization). */
  TpmCommand passwordSession() {
    sessions++;
    return this;
  }

  TpmCommand u8(int v) {
    params.write(v);
    return this;
  }

  TpmCommand u16(int v) {
    params.write(v >> 8);
    params.write(v);
    return this;
  }

  TpmCommand u32(long v) {
    u32(params, v);
    return this;
  }

  TpmCommand bytes(byte[] b) {
    params.writeBytes(b);
    return this;
  }

  TpmCommand tpm2b(byte[] b) {
    u16(b.length);
    return bytes(b);
  }

  private static void u32(ByteArrayOutputStream out, long v) {
    out.write((int) (v >> 24));
    out.write((int) (v >> 16));
    out.write((int) (v >> 8));
    out.write((int) v);
  }

  boolean hasSessions() {
    return sessions > 0;
  }

  byte[] encode() {
    ByteArrayOutputStream auth = new ByteArrayOutputStream();
    for (int i = 0; i < sessions; i++) {
      u32(auth, TPM_RS_PW);
      auth.write(0); // nonce: empty TPM2B
      auth.write(0);
      auth.write(0); // sessionAttributes
      auth.write(0); // hmac (password): empty TPM2B
      auth.write(0);
    }
    int size = 10 + handles.size() + (sessions > 0 ? 4 + auth.size() : 0) + params.size();
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putShort((short) (sessions > 0 ? TPM_ST_SESSIONS : TPM_ST_NO_SESSIONS));
    b.putInt(size);
    b.putInt(code);
    b.put(handles.toByteArray());
    if (sessions > 0) {
      b.putInt(auth.size());
      b.put(auth.toByteArray());
    }
    b.put(params.toByteArray());
    return b.array();
  }
}
