package org.attest4j.azure.guest;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.attest4j.azure.AzureReason;
import org.attest4j.azure.tpm.PcrSelection;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.azure.tpm.TpmtPublic;
import org.attest4j.azure.tpm.TpmtSignature;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;

/**
 * A minimal TPM 2.0 client: the commands an Azure guest needs to produce evidence (NV_ReadPublic,
 * NV_Read, NV_Write, Quote, PCR_Read, ReadPublic) and the few a test needs to provision a software
 * TPM like Azure's vTPM (NV_DefineSpace, CreatePrimary, EvictControl, FlushContext, PCR_Extend),
 * marshalled per TPM 2.0 Part 3 with empty-password sessions. It speaks to the kernel's resource
 * manager ({@code /dev/tpmrm0}) or to swtpm's TCP server socket. A TPM error is an {@link
 * EvidenceUnavailableException} naming the command and the response code.
 *
 * <p>Not thread-safe: one command at a time per instance; close it when done.
 */
public final class Tpm2 implements AutoCloseable {
  /** TPM_RH_OWNER. */
  public static final int TPM_RH_OWNER = 0x40000001;
  /** TPM_RH_ENDORSEMENT. */
  public static final int TPM_RH_ENDORSEMENT = 0x4000000B;
  /** The persistent handle of Azure's vTPM attestation key. */
  public static final int AZURE_AK_HANDLE = 0x81000003;
  /** TPMA_NV bits for an owner-written, owner- and auth-readable ordinary index. */
  public static final long NV_OWNER_RW = 0x00020002L | 0x00040004L; // OWNERWRITE|AUTHWRITE|OWNERREAD|AUTHREAD

  private static final int CC_NV_DEFINE_SPACE = 0x12A;
  private static final int CC_EVICT_CONTROL = 0x120;
  private static final int CC_CREATE_PRIMARY = 0x131;
  private static final int CC_NV_WRITE = 0x137;
  private static final int CC_NV_READ = 0x14E;
  private static final int CC_QUOTE = 0x158;
  private static final int CC_FLUSH_CONTEXT = 0x165;
  private static final int CC_NV_READ_PUBLIC = 0x169;
  private static final int CC_READ_PUBLIC = 0x173;
  private static final int CC_GET_CAPABILITY = 0x17A;
  private static final int CC_PCR_READ = 0x17E;
  private static final int CC_PCR_EXTEND = 0x182;
  private static final int TPM_RC_HANDLE = 0x08B;

  private final TpmTransport transport;
  private int nvBufferMax;

  private Tpm2(TpmTransport transport) {
    this.transport = transport;
  }

  /**
   * Opens a TPM character device, normally the resource manager {@code /dev/tpmrm0}.
   *
   * @param device the device path
   * @return the client
   * @throws EvidenceUnavailableException if it cannot be opened
   */
  public static Tpm2 openDevice(Path device) throws EvidenceUnavailableException {
    try {
      RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw");
      return new Tpm2(new TpmTransport() {
        @Override
        public byte[] transmit(byte[] command) throws IOException {
          f.write(command);
          byte[] buf = new byte[8192];
          int n = f.read(buf);
          if (n < 10) {
            throw new IOException("short TPM response (" + n + " bytes)");
          }
          return Arrays.copyOf(buf, n);
        }

        @Override
        public void close() throws IOException {
          f.close();
        }
      });
    } catch (IOException e) {
      throw new EvidenceUnavailableException(AzureReason.TPM_ERROR,
          "cannot open TPM device " + device + " (is this a VM with a vTPM, and may this user use it?): "
              + e.getMessage());
    }
  }

  /**
   * Connects to swtpm's TCP server socket ({@code swtpm socket --server type=tcp,port=N}), which takes
   * plain TPM 2.0 commands.
   *
   * @param server the server address
   * @return the client
   * @throws EvidenceUnavailableException if it cannot connect
   */
  public static Tpm2 connect(InetSocketAddress server) throws EvidenceUnavailableException {
    try {
      Socket s = new Socket();
      s.connect(server, 5000);
      s.setSoTimeout(30_000);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      return new Tpm2(new TpmTransport() {
        @Override
        public byte[] transmit(byte[] command) throws IOException {
          out.write(command);
          out.flush();
          DataInputStream d = new DataInputStream(in);
          byte[] head = new byte[10];
          d.readFully(head);
          int size = ByteBuffer.wrap(head, 2, 4).getInt();
          if (size < 10 || size > 65536) {
            throw new IOException("TPM response size " + size + " is out of range");
          }
          byte[] all = Arrays.copyOf(head, size);
          d.readFully(all, 10, size - 10);
          return all;
        }

        @Override
        public void close() throws IOException {
          s.close();
        }
      });
    } catch (IOException e) {
      throw new EvidenceUnavailableException(AzureReason.TPM_ERROR,
          "cannot connect to the TPM at " + server + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  /** The response parameters (after handles and parameterSize), or an exception for a TPM error. */
  private ByteReader run(TpmCommand cmd, String name, int responseHandles) throws AttestationException {
    byte[] rsp;
    try {
      rsp = transport.transmit(cmd.encode());
    } catch (IOException e) {
      throw new EvidenceUnavailableException(AzureReason.TPM_ERROR, name + ": TPM I/O failed: " + e.getMessage());
    }
    ByteReader r = ByteReader.of(rsp, name + " response");
    r.u16be("tag");
    long size = r.u32be("responseSize");
    long rc = r.u32be("responseCode");
    if (size != rsp.length) {
      throw new MalformedEvidenceException(AzureReason.TPM_ERROR,
          name + ": response size field " + size + " but " + rsp.length + " bytes received");
    }
    if (rc != 0) {
      throw new TpmResponseException(name, rc);
    }
    for (int i = 0; i < responseHandles; i++) {
      r.u32be("handle");
    }
    if (cmd.hasSessions()) {
      long n = r.u32be("parameterSize");
      if (n > r.remaining()) {
        throw new MalformedEvidenceException(AzureReason.TPM_ERROR, name + ": parameterSize " + n + " runs past the response");
      }
      return ByteReader.of(rsp, r.position(), (int) n, name + " parameters");
    }
    return r;
  }

  /** A TPM error response code; {@link #code()} gives it. */
  public static final class TpmResponseException extends EvidenceUnavailableException {
    private static final long serialVersionUID = 1L;
    /** The TPM_RC the TPM answered. */
    private final long code;

    TpmResponseException(String command, long code) {
      super(AzureReason.TPM_ERROR, command + " failed with TPM response code 0x" + Long.toHexString(code));
      this.code = code;
    }

    /**
     * The TPM_RC value.
     *
     * @return the response code
     */
    public long code() {
      return code;
    }
  }

  /**
   * The size of an NV index (TPM2_NV_ReadPublic).
   *
   * @param index the NV index handle
   * @return dataSize, or -1 when the index is not defined
   * @throws AttestationException if the TPM fails otherwise
   */
  public int nvSize(int index) throws AttestationException {
    try {
      ByteReader r = run(new TpmCommand(CC_NV_READ_PUBLIC).handle(index), "TPM2_NV_ReadPublic", 0);
      r.u16be("nvPublic.size");
      r.u32be("nvIndex");
      r.u16be("nameAlg");
      r.u32be("attributes");
      r.bytes(r.u16be("authPolicy.size"), "authPolicy");
      return r.u16be("dataSize");
    } catch (TpmResponseException e) {
      if ((e.code() & 0xFFF) == TPM_RC_HANDLE || (e.code() & 0xBF) == TPM_RC_HANDLE) {
        return -1;
      }
      throw e;
    }
  }

  private int nvBufferMax() throws AttestationException {
    if (nvBufferMax == 0) {
      ByteReader r = run(new TpmCommand(CC_GET_CAPABILITY).u32(6).u32(0x12C).u32(1), "TPM2_GetCapability", 0);
      r.u8("moreData");
      r.u32be("capability");
      long count = r.u32be("count");
      int max = 512;
      if (count >= 1 && r.u32be("property") == 0x12C) {
        max = (int) Math.min(r.u32be("value"), 2048);
      }
      nvBufferMax = Math.max(64, max);
    }
    return nvBufferMax;
  }

  /**
   * Reads a whole NV index with owner authorization (empty password), in chunks.
   *
   * @param index the NV index
   * @return its contents
   * @throws AttestationException if the index is missing or the TPM fails
   */
  public byte[] nvRead(int index) throws AttestationException {
    int size = nvSize(index);
    if (size < 0) {
      throw new EvidenceUnavailableException(AzureReason.TPM_ERROR,
          "NV index 0x" + Integer.toHexString(index) + " is not defined (is this an Azure confidential VM?)");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int chunk = nvBufferMax();
    for (int off = 0; off < size; off += chunk) {
      int n = Math.min(chunk, size - off);
      ByteReader r = run(new TpmCommand(CC_NV_READ).handle(TPM_RH_OWNER).handle(index).passwordSession()
          .u16(n).u16(off), "TPM2_NV_Read", 0);
      byte[] data = r.bytes(r.u16be("data.size"), "data");
      if (data.length != n) {
        throw new MalformedEvidenceException(AzureReason.TPM_ERROR,
            "TPM2_NV_Read returned " + data.length + " bytes, asked for " + n);
      }
      out.writeBytes(data);
    }
    return out.toByteArray();
  }

  /**
   * Writes {@code data} at offset 0 of an NV index with owner authorization, in chunks.
   *
   * @param index the NV index
   * @param data the bytes
   * @throws AttestationException if the TPM refuses
   */
  public void nvWrite(int index, byte[] data) throws AttestationException {
    int chunk = nvBufferMax();
    for (int off = 0; off < data.length; off += chunk) {
      byte[] part = Arrays.copyOfRange(data, off, Math.min(data.length, off + chunk));
      run(new TpmCommand(CC_NV_WRITE).handle(TPM_RH_OWNER).handle(index).passwordSession().tpm2b(part).u16(off),
          "TPM2_NV_Write", 0);
    }
  }

  /**
   * Defines an ordinary NV index readable and writable by the owner (empty auth, SHA-256 name).
   *
   * @param index the NV index
   * @param size its size (swtpm allows at most 2048)
   * @throws AttestationException if the TPM refuses
   */
  public void nvDefine(int index, int size) throws AttestationException {
    byte[] nvPublic = ByteBuffer.allocate(14).putInt(index).putShort((short) TpmHash.SHA256.algId())
        .putInt((int) NV_OWNER_RW).putShort((short) 0).putShort((short) size).array();
    run(new TpmCommand(CC_NV_DEFINE_SPACE).handle(TPM_RH_OWNER).passwordSession().tpm2b(new byte[0])
        .tpm2b(nvPublic), "TPM2_NV_DefineSpace", 0);
  }

  /**
   * TPM2_Quote with the key at {@code keyHandle} (empty auth) in its own scheme.
   *
   * @param keyHandle the signing key, for example {@link #AZURE_AK_HANDLE}
   * @param nonce the qualifying data (at most 64 bytes)
   * @param selection the PCRs to quote
   * @return the TPMS_ATTEST bytes and the signature
   * @throws AttestationException if the TPM refuses
   */
  public Quote quote(int keyHandle, byte[] nonce, List<PcrSelection> selection) throws AttestationException {
    TpmCommand c = new TpmCommand(CC_QUOTE).handle(keyHandle).passwordSession().tpm2b(nonce).u16(0x0010);
    pcrSelection(c, selection);
    ByteReader r = run(c, "TPM2_Quote", 0);
    byte[] attest = r.bytes(r.u16be("quoted.size"), "quoted");
    byte[] sig = r.bytes(r.remaining(), "signature");
    return new Quote(Bytes.of(attest), TpmtSignature.parse(sig));
  }

  /** A quote as the TPM returned it. */
  public record Quote(Bytes attest, TpmtSignature signature) {}

  private static void pcrSelection(TpmCommand c, List<PcrSelection> selection) {
    c.u32(selection.size());
    for (PcrSelection s : selection) {
      c.u16(s.bank().algId()).u8(s.bitmap().length()).bytes(s.bitmap().toByteArray());
    }
  }

  /**
   * Reads PCR values (TPM2_PCR_Read, repeated until every selected PCR was returned).
   *
   * @param selection one bank's selection
   * @return the values in ascending PCR order
   * @throws AttestationException if the TPM refuses
   */
  public List<Bytes> pcrRead(PcrSelection selection) throws AttestationException {
    List<Integer> left = new ArrayList<>(selection.pcrs());
    List<Bytes> out = new ArrayList<>();
    while (!left.isEmpty()) {
      int[] want = left.stream().mapToInt(Integer::intValue).toArray();
      TpmCommand c = new TpmCommand(CC_PCR_READ);
      pcrSelection(c, List.of(PcrSelection.ofPcrs(selection.bank(), want)));
      ByteReader r = run(c, "TPM2_PCR_Read", 0);
      r.u32be("pcrUpdateCounter");
      long banks = r.u32be("pcrSelectionOut.count");
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < banks; i++) {
        r.u16be("hash");
        byte[] map = r.bytes(r.u8("sizeofSelect"), "pcrSelect");
        got.addAll(PcrSelection.of(selection.bank(), map).pcrs());
      }
      long n = r.u32be("pcrValues.count");
      if (n != got.size() || n == 0) {
        throw new MalformedEvidenceException(AzureReason.TPM_ERROR, "TPM2_PCR_Read returned no or mismatched values");
      }
      for (int i = 0; i < n; i++) {
        out.add(Bytes.of(r.bytes(r.u16be("digest.size"), "digest")));
      }
      left.removeAll(got);
    }
    return out;
  }

  /**
   * Extends a PCR (TPM2_PCR_Extend, empty auth).
   *
   * @param pcr the PCR number
   * @param bank the bank
   * @param digest the digest to extend with
   * @throws AttestationException if the TPM refuses
   */
  public void pcrExtend(int pcr, TpmHash bank, Bytes digest) throws AttestationException {
    run(new TpmCommand(CC_PCR_EXTEND).handle(pcr).passwordSession().u32(1).u16(bank.algId()).bytes(digest.toByteArray()),
        "TPM2_PCR_Extend", 0);
  }

  /**
   * The public area of a loaded or persistent object (TPM2_ReadPublic).
   *
   * @param handle the object
   * @return its TPMT_PUBLIC
   * @throws AttestationException if the TPM refuses or the area is not an RSA/ECC key
   */
  public TpmtPublic readPublic(int handle) throws AttestationException {
    ByteReader r = run(new TpmCommand(CC_READ_PUBLIC).handle(handle), "TPM2_ReadPublic", 0);
    return TpmtPublic.parse(r.bytes(r.u16be("outPublic.size"), "outPublic"));
  }

  /**
   * Creates a primary key (TPM2_CreatePrimary, empty auths) from a TPMT_PUBLIC template.
   *
   * @param hierarchy for example {@link #TPM_RH_ENDORSEMENT}
   * @param template the TPMT_PUBLIC template (unique empty)
   * @return the transient handle
   * @throws AttestationException if the TPM refuses
   */
  public int createPrimary(int hierarchy, byte[] template) throws AttestationException {
    TpmCommand c = new TpmCommand(CC_CREATE_PRIMARY).handle(hierarchy).passwordSession()
        .tpm2b(new byte[4]).tpm2b(template).tpm2b(new byte[0]).u32(0);
    byte[] rsp;
    try {
      rsp = transport.transmit(c.encode());
    } catch (IOException e) {
      throw new EvidenceUnavailableException(AzureReason.TPM_ERROR, "TPM2_CreatePrimary: " + e.getMessage());
    }
    ByteReader r = ByteReader.of(rsp, "TPM2_CreatePrimary response");
    r.u16be("tag");
    r.u32be("size");
    long rc = r.u32be("rc");
    if (rc != 0) {
      throw new TpmResponseException("TPM2_CreatePrimary", rc);
    }
    return (int) r.u32be("objectHandle");
  }

  /**
   * Makes a transient key persistent at {@code persistent} (TPM2_EvictControl, owner auth), or with
   * {@code transientHandle == persistent} removes a persistent key.
   *
   * @param transientHandle the loaded object, or the persistent handle to evict
   * @param persistent the persistent handle
   * @throws AttestationException if the TPM refuses
   */
  public void evictControl(int transientHandle, int persistent) throws AttestationException {
    run(new TpmCommand(CC_EVICT_CONTROL).handle(TPM_RH_OWNER).handle(transientHandle).passwordSession()
        .u32(persistent & 0xffffffffL), "TPM2_EvictControl", 0);
  }

  /**
   * Unloads a transient object (TPM2_FlushContext).
   *
   * @param handle the object
   * @throws AttestationException if the TPM refuses
   */
  public void flush(int handle) throws AttestationException {
    run(new TpmCommand(CC_FLUSH_CONTEXT).u32(handle), "TPM2_FlushContext", 0);
  }
}
