#pragma once

#include "panel.h"

class QWidget;

// The user id the changelog records for this window's writes. A profile without one (the
// Local sandbox has none) would write user_id NULL and blank the agent's "Modified by" without
// a word: before the first such write the user is asked once, and may set an id on the spot.
// An id set here is remembered per profile name (QSettings) and used from then on.
namespace AuditIdentity {

// The id remembered for `profileName`, or empty.
QString remembered(const QString &profileName);

// Before a write on `context`: true to go on, with `context->auditUserId` set when the user
// chose an id (now or before); false when the user cancelled the write. Asks at most once per
// profile and session when the user chooses to go on without an id.
bool confirm(QWidget *parent, ConnectionContext *context, const QString &what);

} // namespace AuditIdentity
