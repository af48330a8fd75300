-- Items, in creation order. seq orders the listing and is what a cursor
-- holds (see items.EncodeCursor); id is the public, random name of an item.
-- The CHECKs repeat the rules of items.Fields.Validate as a last line of
-- defence: the store validates before it writes.
CREATE TABLE items (
    seq         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          text        NOT NULL UNIQUE CHECK (id ~ '^[0-9a-f]{24}$'),
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    description text        NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
