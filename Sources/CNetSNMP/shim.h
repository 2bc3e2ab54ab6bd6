#ifndef COMMUNEWATCH_CNETSNMP_SHIM_H
#define COMMUNEWATCH_CNETSNMP_SHIM_H

// libc first: net-snmp-config.h defines _GNU_SOURCE, and importing it before the libc
// headers clashes with other modules over fd_set (field notes).
#include <sys/types.h>
#include <sys/select.h>
#include <sys/time.h>
#include <stdlib.h>
#include <string.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/snmpusm.h>

// Macros that OR several terms do not import into Swift: redeclared as constants.
static const int cw_SNMP_MSG_GET = SNMP_MSG_GET;
static const int cw_SNMP_MSG_GETNEXT = SNMP_MSG_GETNEXT;
static const int cw_SNMP_MSG_GETBULK = SNMP_MSG_GETBULK;
static const unsigned char cw_ASN_INTEGER = ASN_INTEGER;
static const unsigned char cw_ASN_OCTET_STR = ASN_OCTET_STR;
static const unsigned char cw_ASN_NULL = ASN_NULL;
static const unsigned char cw_ASN_OBJECT_ID = ASN_OBJECT_ID;
static const unsigned char cw_ASN_IPADDRESS = ASN_IPADDRESS;
static const unsigned char cw_ASN_COUNTER = ASN_COUNTER;
static const unsigned char cw_ASN_GAUGE = ASN_GAUGE;
static const unsigned char cw_ASN_TIMETICKS = ASN_TIMETICKS;
static const unsigned char cw_ASN_OPAQUE = ASN_OPAQUE;
static const unsigned char cw_ASN_COUNTER64 = ASN_COUNTER64;
static const unsigned char cw_SNMP_NOSUCHOBJECT = SNMP_NOSUCHOBJECT;
static const unsigned char cw_SNMP_NOSUCHINSTANCE = SNMP_NOSUCHINSTANCE;
static const unsigned char cw_SNMP_ENDOFMIBVIEW = SNMP_ENDOFMIBVIEW;

// GETBULK reuses errstat / errindex (macros non_repeaters / max_repetitions).
static inline void cw_pdu_set_bulk(netsnmp_pdu *pdu, long non_repeaters, long max_repetitions) {
    pdu->non_repeaters = non_repeaters;
    pdu->max_repetitions = max_repetitions;
}

// SNMPv3 security: the protocol OIDs are global arrays and the keys fixed-size arrays,
// both awkward from Swift. auth: 0 none, 1 MD5, 2 SHA-1, 3 SHA-224, 4 SHA-256, 5 SHA-384, 6 SHA-512.
// priv: 0 none, 1 DES, 2 AES-128. Returns 0, or -1 when a key cannot be generated.
static inline int cw_session_set_v3(netsnmp_session *s, int auth, const char *authpass, int priv, const char *privpass) {
    const oid *auth_oid = NULL;
    switch (auth) {
    case 1: auth_oid = usmHMACMD5AuthProtocol; break;
    case 2: auth_oid = usmHMACSHA1AuthProtocol; break;
    case 3: auth_oid = usmHMAC128SHA224AuthProtocol; break;
    case 4: auth_oid = usmHMAC192SHA256AuthProtocol; break;
    case 5: auth_oid = usmHMAC256SHA384AuthProtocol; break;
    case 6: auth_oid = usmHMAC384SHA512AuthProtocol; break;
    default: break;
    }
    s->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
    if (auth_oid == NULL) return 0;
    s->securityAuthProto = snmp_duplicate_objid(auth_oid, 10);
    s->securityAuthProtoLen = 10;
    s->securityAuthKeyLen = USM_AUTH_KU_LEN;
    if (generate_Ku(s->securityAuthProto, (u_int)s->securityAuthProtoLen, (const u_char *)authpass, strlen(authpass),
                    s->securityAuthKey, &s->securityAuthKeyLen) != SNMPERR_SUCCESS) return -1;
    s->securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
    const oid *priv_oid = priv == 1 ? usmDESPrivProtocol : priv == 2 ? usmAESPrivProtocol : NULL;
    if (priv_oid == NULL) return 0;
    s->securityPrivProto = snmp_duplicate_objid(priv_oid, 10);
    s->securityPrivProtoLen = 10;
    s->securityPrivKeyLen = USM_PRIV_KU_LEN;
    if (generate_Ku(s->securityAuthProto, (u_int)s->securityAuthProtoLen, (const u_char *)privpass, strlen(privpass),
                    s->securityPrivKey, &s->securityPrivKeyLen) != SNMPERR_SUCCESS) return -1;
    s->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
    return 0;
}

// net-snmp keeps SNMPv3 users (with their localized keys) in one process-wide table keyed by
// engine id and name, and never replaces an entry: after a session with a wrong password, a
// corrected one for the same device would reuse the wrong keys. Forget the user on close.
static inline void cw_forget_v3_user(void *sessp) {
    netsnmp_session *s = snmp_sess_session(sessp);
    if (s == NULL || s->version != SNMP_VERSION_3 || s->securityName == NULL) return;
    struct usmUser *user = usm_get_user(s->securityEngineID, s->securityEngineIDLen, s->securityName);
    if (user != NULL) {
        usm_remove_user(user);
        usm_free_user(user);
    }
}

#endif
