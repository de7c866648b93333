package org.attest4j.ratls.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ratls.AppInfo;
import org.attest4j.ratls.RatlsReason;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The three MessagePack encodings of dstack's {@code AppInfo} (spec dstack-ratls §2.7): positional
 * arrays of 8 or 9 elements and the map keyed by field name. Byte fields are bin only, as rmp-serde
 * writes them. Stateless; internal.
 */
public final class AppInfoCodec {
  private static final String[] NAMES = {
    "app_id", "compose_hash", "instance_id", "device_id", "mr_system", "mr_aggregated",
    "os_image_hash", "key_provider_info", "init_script_hashes"
  };

  private AppInfoCodec() {}

  /**
   * Decodes an AppInfo in any encoding; trailing bytes are refused.
   *
   * @param data the MessagePack bytes
   * @return the AppInfo
   * @throws MalformedEvidenceException when the bytes are not an AppInfo
   */
  public static AppInfo decode(byte[] data) throws MalformedEvidenceException {
    if (data == null || data.length == 0) {
      throw new MalformedEvidenceException(CoreReason.MISSING_INPUT, "AppInfo: no bytes");
    }
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(data)) {
      Reader r = new Reader(data, u);
      AppInfo a = r.next("AppInfo") == ValueType.MAP ? r.named() : r.positional();
      if (u.hasNext()) {
        throw new MalformedEvidenceException(
            RatlsReason.TRAILING_BYTES,
            "AppInfo: " + (data.length - u.getTotalReadBytes()) + " bytes follow its end");
      }
      return a;
    } catch (MessagePackException | IOException e) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING,
          "AppInfo is not well-formed MessagePack: " + e.getClass().getSimpleName());
    }
  }

  /** One decode. */
  private static final class Reader extends MsgpackReader {
    Reader(byte[] data, MessageUnpacker u) {
      super("AppInfo", data, u, 0);
    }

    AppInfo positional() throws IOException, MalformedEvidenceException {
      int n = arrayHeader("AppInfo");
      if (n != 8 && n != 9) {
        throw bad("AppInfo", "is an array of " + n + " elements; dstack writes 8 or 9");
      }
      Bytes[] f = new Bytes[8];
      for (int i = 0; i < 8; i++) {
        f[i] = strictBin(NAMES[i]);
      }
      Optional<List<Bytes>> scripts = n == 9 ? scripts() : Optional.empty();
      return build(f, scripts,
          n == 8 ? AppInfo.Encoding.POSITIONAL_8 : AppInfo.Encoding.POSITIONAL_9);
    }

    AppInfo named() throws IOException, MalformedEvidenceException {
      int n = mapHeader("AppInfo");
      Set<String> seen = new HashSet<>();
      Bytes[] f = new Bytes[8];
      Optional<List<Bytes>> scripts = Optional.empty();
      for (int i = 0; i < n; i++) {
        String k = key("AppInfo", seen);
        int idx = indexOf(k);
        if (idx < 0) {
          u.skipValue();
        } else if (idx == 8) {
          scripts = scripts();
        } else {
          f[idx] = strictBin(k);
        }
      }
      for (int i = 0; i < 8; i++) {
        required(f[i], NAMES[i]);
      }
      return build(f, scripts, AppInfo.Encoding.NAMED);
    }

    private Optional<List<Bytes>> scripts() throws IOException, MalformedEvidenceException {
      if (next(NAMES[8]) == ValueType.NIL) {
        u.unpackNil();
        return Optional.empty();
      }
      int n = arrayHeader(NAMES[8]);
      if (n > AppInfo.MAX_INIT_SCRIPT_HASHES) {
        throw bad(NAMES[8], "holds " + n + " digests; dstack writes at most "
            + AppInfo.MAX_INIT_SCRIPT_HASHES);
      }
      List<Bytes> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(digest32(NAMES[8] + "[" + i + "]"));
      }
      return Optional.of(out);
    }

    private Bytes digest32(String field) throws IOException, MalformedEvidenceException {
      Bytes b = strictBin(field);
      if (b.length() != 32) {
        throw bad(field, "is " + b.length() + " bytes; a SHA-256 digest is 32");
      }
      return b;
    }

    private Bytes strictBin(String field) throws IOException, MalformedEvidenceException {
      if (next(field) != ValueType.BINARY) {
        throw bad(field, "must be a MessagePack bin, not " + u.getNextFormat().getValueType());
      }
      return bin(field);
    }

    private AppInfo build(Bytes[] f, Optional<List<Bytes>> scripts, AppInfo.Encoding enc)
        throws MalformedEvidenceException {
      for (int i = 4; i <= 5; i++) {
        if (f[i].length() != 32) {
          throw bad(NAMES[i], "is " + f[i].length() + " bytes; it must be 32");
        }
      }
      return new AppInfo(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], scripts, enc);
    }

    private static int indexOf(String k) {
      for (int i = 0; i < NAMES.length; i++) {
        if (NAMES[i].equals(k)) {
          return i;
        }
      }
      return -1;
    }
  }

  /**
   * Encodes an AppInfo in its encoding as rmp-serde writes it.
   *
   * @param a the AppInfo
   * @return the MessagePack bytes
   */
  public static byte[] encode(AppInfo a) {
    Bytes[] f = {
      a.appId(), a.composeHash(), a.instanceId(), a.deviceId(), a.mrSystem(), a.mrAggregated(),
      a.osImageHash(), a.keyProviderInfo()
    };
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      boolean named = a.encoding() == AppInfo.Encoding.NAMED;
      int n = a.encoding() == AppInfo.Encoding.POSITIONAL_8 ? 8 : 9;
      if (named) {
        p.packMapHeader(n);
      } else {
        p.packArrayHeader(n);
      }
      for (int i = 0; i < 8; i++) {
        if (named) {
          p.packString(NAMES[i]);
        }
        MsgpackCodec.bin(p, f[i]);
      }
      if (n == 9) {
        if (named) {
          p.packString(NAMES[8]);
        }
        if (a.initScriptHashes().isEmpty()) {
          p.packNil();
        } else {
          p.packArrayHeader(a.initScriptHashes().get().size());
          for (Bytes h : a.initScriptHashes().get()) {
            MsgpackCodec.bin(p, h);
          }
        }
      }
      p.flush();
      return p.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory MessagePack encoding failed", e);
    }
  }
}
