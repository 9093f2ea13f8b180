-- 0006: the products catalog with stock per branch, orders with their
-- history, and the notes specialists write after visits (package
-- cabinet/card, OrderStore). Order events go to the events table (stream
-- 'orders') in the transaction of the change.
--
-- Conventions as in 0001; money is a bigint of minor units and a currency
-- code. Orders keep no foreign key to users: what the clinic must keep of a
-- client who erased their data (completed orders) stays, de-personalised.

CREATE TABLE products (
    id                text COLLATE "C" PRIMARY KEY,
    brand             text COLLATE "C" NOT NULL,
    line              text NOT NULL DEFAULT '',
    name              text COLLATE "C" NOT NULL,
    category          text COLLATE "C" NOT NULL CHECK (category <> ''),
    description       text NOT NULL DEFAULT '',
    volume            integer NOT NULL DEFAULT 0 CHECK (volume >= 0),
    unit              text NOT NULL DEFAULT '',   -- ml, g, pcs; '' without a volume
    daily_use         double precision NOT NULL DEFAULT 0 CHECK (daily_use >= 0),
    price_amount      bigint NOT NULL CHECK (price_amount >= 0),
    price_currency    text NOT NULL,
    skin_types        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(skin_types) = 'array'),
    concerns          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(concerns) = 'array'),
    contraindications jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(contraindications) = 'array'),
    tags              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
    active            boolean NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE INDEX products_category ON products (category, brand, name);

-- Units available at a branch: on the shelf and not reserved by an open
-- order. Orders take from it with one conditional UPDATE each, which locks
-- the row; the CHECK is the last word on "never below zero".
CREATE TABLE product_stock (
    product_id text COLLATE "C" NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    branch_id  text COLLATE "C" NOT NULL REFERENCES branches (id),
    quantity   integer NOT NULL CHECK (quantity >= 0),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (product_id, branch_id)
);

CREATE INDEX product_stock_branch ON product_stock (branch_id);

-- number: the short number people see, assigned in order by an identity
-- (a number is never reused).
CREATE TABLE orders (
    number          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              text COLLATE "C" NOT NULL UNIQUE,
    client_id       text COLLATE "C" NOT NULL,
    branch_id       text COLLATE "C" NOT NULL REFERENCES branches (id),
    status          text COLLATE "C" NOT NULL CHECK (status IN ('new', 'confirmed', 'ready', 'completed', 'cancelled')),
    source          text COLLATE "C" NOT NULL CHECK (source <> ''),
    total_amount    bigint NOT NULL CHECK (total_amount >= 0),
    total_currency  text NOT NULL,
    note            text NOT NULL DEFAULT '',
    cancel_reason   text NOT NULL DEFAULT '',
    cancelled_by    text COLLATE "C" NOT NULL DEFAULT '',
    idempotency_key text COLLATE "C",             -- NULL when none
    created_by      text COLLATE "C" NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    completed_at    timestamptz                   -- NULL until completed
);

CREATE INDEX orders_client ON orders (client_id, status, number);
CREATE INDEX orders_branch ON orders (branch_id, status, number);
CREATE UNIQUE INDEX orders_idempotency ON orders (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The lines of an order, with the product's description and price as they
-- were when it was ordered.
CREATE TABLE order_items (
    order_id       text COLLATE "C" NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position       integer NOT NULL,
    product_id     text COLLATE "C" NOT NULL REFERENCES products (id),
    brand          text NOT NULL,
    line           text NOT NULL DEFAULT '',
    name           text NOT NULL,
    category       text NOT NULL,
    volume         integer NOT NULL DEFAULT 0,
    unit           text NOT NULL DEFAULT '',
    daily_use      double precision NOT NULL DEFAULT 0,
    quantity       integer NOT NULL CHECK (quantity > 0),
    price_amount   bigint NOT NULL CHECK (price_amount >= 0),
    price_currency text NOT NULL,
    PRIMARY KEY (order_id, position)
);

CREATE INDEX order_items_product ON order_items (product_id, order_id);

CREATE TABLE order_history (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    text COLLATE "C" NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status text NOT NULL DEFAULT '',         -- '' for the order itself
    to_status   text NOT NULL,
    at          timestamptz NOT NULL,
    by_user     text COLLATE "C" NOT NULL,
    by_staff    boolean NOT NULL,
    reason      text NOT NULL DEFAULT ''
);

CREATE INDEX order_history_order ON order_history (order_id, seq);
CREATE INDEX order_history_by_user ON order_history (by_user);

-- Append-only: a line's change of status never changes. Only who made it
-- (and their words) may be replaced, when an erased client's lines are
-- given a pseudonym.
CREATE TRIGGER order_history_append_only BEFORE UPDATE ON order_history
    FOR EACH ROW
    WHEN (NEW.seq IS DISTINCT FROM OLD.seq OR NEW.order_id IS DISTINCT FROM OLD.order_id
        OR NEW.from_status IS DISTINCT FROM OLD.from_status OR NEW.to_status IS DISTINCT FROM OLD.to_status
        OR NEW.at IS DISTINCT FROM OLD.at OR NEW.by_staff IS DISTINCT FROM OLD.by_staff)
    EXECUTE FUNCTION kabinet_append_only();

-- What the specialist wrote for the client after a visit: notes and
-- recommendations, a jsonb array of {"kind","item_id","text"}.
CREATE TABLE visit_notes (
    appointment_id  text COLLATE "C" PRIMARY KEY REFERENCES appointments (id) ON DELETE CASCADE,
    client_id       text COLLATE "C" NOT NULL,
    notes           text NOT NULL DEFAULT '',
    recommendations jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(recommendations) = 'array'),
    written_by      text COLLATE "C" NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE INDEX visit_notes_client ON visit_notes (client_id, updated_at);
