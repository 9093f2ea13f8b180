-- 0006: the products catalog with stock per branch, orders with their
-- history, and the notes specialists write after visits (package
-- cabinet/card, OrderStore). Order events go to the events table (stream
-- 'orders') in the transaction of the change.
--
-- Conventions as in 0001–0004: instants are TEXT in UTC, fixed width,
-- 2006-01-02T15:04:05.000000000Z; money is an INTEGER of minor units and a
-- currency code; lists are JSON arrays; tables are STRICT.
--
-- Orders keep no foreign key to users: what the clinic must keep of a
-- client who erased their data (completed orders) stays, de-personalised.

CREATE TABLE products (
    id                TEXT PRIMARY KEY,
    brand             TEXT NOT NULL,
    line              TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL,
    category          TEXT NOT NULL CHECK (category <> ''),
    description       TEXT NOT NULL DEFAULT '',
    volume            INTEGER NOT NULL DEFAULT 0 CHECK (volume >= 0),
    unit              TEXT NOT NULL DEFAULT '',   -- ml, g, pcs; '' without a volume
    daily_use         REAL NOT NULL DEFAULT 0 CHECK (daily_use >= 0),
    price_amount      INTEGER NOT NULL CHECK (price_amount >= 0),
    price_currency    TEXT NOT NULL,
    skin_types        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(skin_types)),
    concerns          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(concerns)),
    contraindications TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(contraindications)),
    tags              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    active            INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;

CREATE INDEX products_category ON products (category, brand, name);

-- Units available at a branch: on the shelf and not reserved by an open
-- order. Orders take from it in their own transaction; the CHECK is the
-- last word on "never below zero".
CREATE TABLE product_stock (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    branch_id  TEXT NOT NULL REFERENCES branches (id),
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (product_id, branch_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX product_stock_branch ON product_stock (branch_id);

-- number: the short number people see, assigned in order (AUTOINCREMENT: a
-- number is never reused).
CREATE TABLE orders (
    number          INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    client_id       TEXT NOT NULL,
    branch_id       TEXT NOT NULL REFERENCES branches (id),
    status          TEXT NOT NULL CHECK (status IN ('new', 'confirmed', 'ready', 'completed', 'cancelled')),
    source          TEXT NOT NULL CHECK (source <> ''),
    total_amount    INTEGER NOT NULL CHECK (total_amount >= 0),
    total_currency  TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    cancel_reason   TEXT NOT NULL DEFAULT '',
    cancelled_by    TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,                         -- NULL when none
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    completed_at    TEXT                          -- NULL until completed
) STRICT;

CREATE INDEX orders_client ON orders (client_id, status, number);
CREATE INDEX orders_branch ON orders (branch_id, status, number);
CREATE UNIQUE INDEX orders_idempotency ON orders (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The lines of an order, with the product's description and price as they
-- were when it was ordered.
CREATE TABLE order_items (
    order_id       TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    product_id     TEXT NOT NULL REFERENCES products (id),
    brand          TEXT NOT NULL,
    line           TEXT NOT NULL DEFAULT '',
    name           TEXT NOT NULL,
    category       TEXT NOT NULL,
    volume         INTEGER NOT NULL DEFAULT 0,
    unit           TEXT NOT NULL DEFAULT '',
    daily_use      REAL NOT NULL DEFAULT 0,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    price_amount   INTEGER NOT NULL CHECK (price_amount >= 0),
    price_currency TEXT NOT NULL,
    PRIMARY KEY (order_id, position)
) STRICT, WITHOUT ROWID;

CREATE INDEX order_items_product ON order_items (product_id, order_id);

CREATE TABLE order_history (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status TEXT NOT NULL DEFAULT '',         -- '' for the order itself
    to_status   TEXT NOT NULL,
    at          TEXT NOT NULL,
    by_user     TEXT NOT NULL,
    by_staff    INTEGER NOT NULL CHECK (by_staff IN (0, 1)),
    reason      TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX order_history_order ON order_history (order_id, seq);

-- Append-only: a line's change of status never changes. Only who made it
-- (and their words) may be replaced, when an erased client's lines are
-- given a pseudonym.
CREATE TRIGGER order_history_append_only BEFORE UPDATE ON order_history
WHEN NEW.seq IS NOT OLD.seq OR NEW.order_id IS NOT OLD.order_id OR NEW.from_status IS NOT OLD.from_status
    OR NEW.to_status IS NOT OLD.to_status OR NEW.at IS NOT OLD.at OR NEW.by_staff IS NOT OLD.by_staff
BEGIN
    SELECT RAISE(ABORT, 'order_history is append-only');
END;

-- What the specialist wrote for the client after a visit: notes and
-- recommendations, a JSON array of {"kind","item_id","text"}.
CREATE TABLE visit_notes (
    appointment_id  TEXT PRIMARY KEY REFERENCES appointments (id) ON DELETE CASCADE,
    client_id       TEXT NOT NULL,
    notes           TEXT NOT NULL DEFAULT '',
    recommendations TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(recommendations)),
    written_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE INDEX visit_notes_client ON visit_notes (client_id, updated_at);
