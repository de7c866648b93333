/**
 * Test support: {@link org.attest4j.ovmf.testing.SyntheticFirmware}, which writes synthetic OVMF-format
 * firmware images (footer GUID table, {@code "ASEV"} SEV metadata, SEV-ES reset block, kernel-hashes
 * table entry) in memory, so measurement, key-release and relying-party code can be tested and demoed
 * without a real OVMF build. The images boot nothing and are trusted by nothing. Never use in
 * production.
 */
package org.attest4j.ovmf.testing;
