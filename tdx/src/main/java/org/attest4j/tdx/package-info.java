/** attest4j tdx (being built). */
package org.attest4j.tdx;
