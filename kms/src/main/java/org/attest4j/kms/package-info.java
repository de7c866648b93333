/** attest4j kms (being built). */
package org.attest4j.kms;
