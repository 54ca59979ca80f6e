/* Keel's version, printed in the boot banner and (later) by uname. */
#ifndef KEEL_VERSION_H
#define KEEL_VERSION_H

#define KEEL_VERSION "0.1.0"

#endif /* KEEL_VERSION_H */
