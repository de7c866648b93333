/** attest4j snp (being built). */
package org.attest4j.snp;
