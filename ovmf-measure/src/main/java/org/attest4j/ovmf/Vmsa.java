package org.attest4j.ovmf;

/** Builds the 4 KiB initial VMSA pages (spec sections 7 and 9). Internal. */
final class Vmsa {
  static final long BSP_EIP = 0xFFFF_FFF0L;

  private Vmsa() {}

  private static void seg(byte[] p, int off, int sel, int attr, long limit, long base) {
    Le.put16(p, off, sel);
    Le.put16(p, off + 2, attr);
    Le.put32(p, off + 4, limit);
    Le.put64(p, off + 8, base);
  }

  /** The reset-state VMSA of a vCPU starting at {@code eip}. */
  static byte[] page(VmmType vmm, long eip, long rdx, long guestFeatures) {
    byte[] p = new byte[OvmfImage.PAGE];
    int csAttr = vmm == VmmType.EC2 && eip == BSP_EIP ? 0x9A : 0x9B;
    int ssAttr = vmm == VmmType.EC2 ? 0x92 : 0x93;
    int trAttr = vmm == VmmType.EC2 ? 0x83 : 0x8B;
    seg(p, 0x00, 0, 0x93, 0xFFFF, 0); // es
    seg(p, 0x10, 0xF000, csAttr, 0xFFFF, eip & 0xFFFF_0000L); // cs
    seg(p, 0x20, 0, ssAttr, 0xFFFF, 0); // ss
    seg(p, 0x30, 0, 0x93, 0xFFFF, 0); // ds
    seg(p, 0x40, 0, 0x93, 0xFFFF, 0); // fs
    seg(p, 0x50, 0, 0x93, 0xFFFF, 0); // gs
    seg(p, 0x60, 0, 0, 0xFFFF, 0); // gdtr
    seg(p, 0x70, 0, 0x82, 0xFFFF, 0); // ldtr
    seg(p, 0x80, 0, 0, 0xFFFF, 0); // idtr
    seg(p, 0x90, 0, trAttr, 0xFFFF, 0); // tr
    Le.put64(p, 0xD0, 0x1000); // efer
    Le.put64(p, 0x148, 0x40); // cr4
    Le.put64(p, 0x158, 0x10); // cr0
    Le.put64(p, 0x160, 0x400); // dr7
    Le.put64(p, 0x168, 0xFFFF0FF0L); // dr6
    Le.put64(p, 0x170, 0x2); // rflags
    Le.put64(p, 0x178, eip & 0xFFFF); // rip
    Le.put64(p, 0x268, vmm == VmmType.GCE ? 0x0000000000070106L : 0x0007040600070406L); // g_pat
    Le.put64(p, 0x310, rdx); // rdx
    Le.put64(p, 0x3B0, guestFeatures); // sev_features
    Le.put64(p, 0x3E8, 0x1); // xcr0
    if (vmm == VmmType.QEMU) {
      Le.put32(p, 0x408, 0x1F80); // mxcsr
      Le.put16(p, 0x410, 0x037F); // x87_fcw
    }
    return p;
  }

  /** The VMSA every vCPU of an SVSM launch starts with. */
  static byte[] svsmPage(long rip, long vcpuSig) {
    byte[] p = new byte[OvmfImage.PAGE];
    seg(p, 0x00, 16, 0xC93, 0xFFFF_FFFFL, 0); // es
    seg(p, 0x10, 8, 0xC9B, 0xFFFF_FFFFL, 0); // cs
    seg(p, 0x20, 16, 0xC93, 0xFFFF_FFFFL, 0); // ss
    seg(p, 0x30, 16, 0xC93, 0xFFFF_FFFFL, 0); // ds
    seg(p, 0x40, 16, 0xC93, 0xFFFF_FFFFL, 0); // fs
    seg(p, 0x50, 0, 0x93, 0xFFFF, 0); // gs
    seg(p, 0x60, 0, 0, 0xFFFF, 0); // gdtr
    seg(p, 0x70, 0, 0x82, 0xFFFF, 0); // ldtr
    seg(p, 0x80, 0, 0, 0xFFFF, 0); // idtr
    seg(p, 0x90, 0, 0x8B, 0xFFFF, 0); // tr
    Le.put64(p, 0xD0, 0x1000); // efer
    Le.put64(p, 0x148, 0x40); // cr4
    Le.put64(p, 0x158, 0x11); // cr0
    Le.put64(p, 0x160, 0x400); // dr7
    Le.put64(p, 0x168, 0xFFFF0FF0L); // dr6
    Le.put64(p, 0x170, 0x2); // rflags
    Le.put64(p, 0x178, rip); // rip (not masked)
    Le.put64(p, 0x268, 0x0007040600070406L); // g_pat
    Le.put64(p, 0x310, vcpuSig); // rdx
    Le.put64(p, 0x3B0, 0x1); // sev_features: fixed
    Le.put64(p, 0x3E8, 0x1); // xcr0
    Le.put32(p, 0x408, 0x1F80); // mxcsr; x87_fcw stays 0 like the reference
    return p;
  }
}
