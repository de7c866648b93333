/** attest4j ovmf-measure (being built). */
package org.attest4j.ovmf;
