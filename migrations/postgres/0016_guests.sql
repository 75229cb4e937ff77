-- Guests: anonymous learners whose reading and tutor chats are kept until
-- they sign in. A guest is a row of users, so progress and chats reference
-- it like anyone's. It has no Discord account: like development users
-- (`dev:NAME`) its discord_id is a placeholder, `guest:UUID`, which never
-- looks like a snowflake, so nothing on Discord's side ever acts on it.
--
-- guest_network: a keyed hash of the network the guest started from (never
-- the address); set exactly for guests, and what the guest limits count by.
-- claimed_by: the account that took the guest's data over at sign-in; the
-- guest row is then deleted (deleted_at) and its token stops working.
ALTER TABLE users ADD COLUMN guest_network TEXT;
ALTER TABLE users ADD COLUMN claimed_by BIGINT REFERENCES users (id);
CREATE INDEX users_guest_network ON users (guest_network, created_at) WHERE guest_network IS NOT NULL;
