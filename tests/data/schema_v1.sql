BEGIN TRANSACTION;
CREATE TABLE area (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	classification VARCHAR NOT NULL, 
	code VARCHAR, 
	parent_id VARCHAR, 
	households INTEGER, 
	population INTEGER, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(parent_id) REFERENCES area (id)
);
INSERT INTO "area" VALUES('t','测试镇','town','310151101',NULL,NULL,NULL,'2026-11-23 17:52:29.197575');
INSERT INTO "area" VALUES('t-c1','一社区','community',NULL,'t',NULL,NULL,'2026-11-23 17:52:29.197575');
INSERT INTO "area" VALUES('t-c1-g1','第一网格','grid',NULL,'t-c1',320,800,'2026-11-23 17:52:29.197575');
INSERT INTO "area" VALUES('t-c1-b1','1号楼','building',NULL,'t-c1-g1',80,NULL,'2026-11-23 17:52:29.197575');
CREATE TABLE audit_log (
	seq INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, 
	action VARCHAR NOT NULL, 
	entity VARCHAR, 
	ids VARCHAR NOT NULL, 
	detail VARCHAR NOT NULL, 
	content_hash VARCHAR, 
	prev_hash VARCHAR NOT NULL, 
	hash VARCHAR NOT NULL, 
	PRIMARY KEY (seq)
);
INSERT INTO "audit_log" VALUES(1,'2026-11-23 17:52:29.204208','root','import','import','["v1.yaml"]','{"counts": {"areas": {"created": 4, "unchanged": 0, "updated": 0}, "memberships": {"created": 2, "unchanged": 0, "updated": 0}, "organizations": {"created": 2, "unchanged": 0, "updated": 0}, "persons": {"created": 1, "unchanged": 0, "updated": 0}}}',NULL,'0000000000000000000000000000000000000000000000000000000000000000','714e0020e888b3db3ddc5e196df8567e19e98dcdf140e40f7a536a0710e5b265');
CREATE TABLE cgov_counter (
	name VARCHAR NOT NULL, 
	value INTEGER NOT NULL, 
	PRIMARY KEY (name)
);
CREATE TABLE cgov_migrations (name VARCHAR PRIMARY KEY, applied_at VARCHAR NOT NULL);
INSERT INTO "cgov_migrations" VALUES('0001_org','2026-11-23T17:52:29.176452+00:00');
CREATE TABLE membership (
	id INTEGER NOT NULL, 
	person_id VARCHAR NOT NULL, 
	organization_id VARCHAR, 
	area_id VARCHAR, 
	role VARCHAR NOT NULL, 
	full_time BOOLEAN, 
	start_date DATE, 
	end_date DATE, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(person_id) REFERENCES person (id), 
	FOREIGN KEY(organization_id) REFERENCES organization (id), 
	FOREIGN KEY(area_id) REFERENCES area (id)
);
INSERT INTO "membership" VALUES(1,'p-1','t-c1-g1-pb',NULL,'secretary',NULL,'2021-06-01',NULL,'2026-11-23 17:52:29.197575');
INSERT INTO "membership" VALUES(2,'p-1',NULL,'t-c1-g1','grid-leader',NULL,'2021-06-01',NULL,'2026-11-23 17:52:29.197575');
CREATE TABLE organization (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	classification VARCHAR NOT NULL, 
	area_id VARCHAR, 
	parent_id VARCHAR, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(area_id) REFERENCES area (id), 
	FOREIGN KEY(parent_id) REFERENCES organization (id)
);
INSERT INTO "organization" VALUES('t-party','一社区党委','party-committee','t-c1',NULL,'2026-11-23 17:52:29.197575');
INSERT INTO "organization" VALUES('t-c1-g1-pb','第一网格党支部','party-branch','t-c1-g1','t-party','2026-11-23 17:52:29.197575');
CREATE TABLE person (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	gender VARCHAR, 
	birth_date DATE, 
	id_number VARCHAR, 
	phone VARCHAR, 
	home_id VARCHAR, 
	party_status VARCHAR, 
	party_joined DATE, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (id_number), 
	FOREIGN KEY(home_id) REFERENCES area (id)
);
INSERT INTO "person" VALUES('p-1','王建国','male','1962-03-01','310230196203019916','13900000001','t-c1-b1','full','1985-07-01','2026-11-23 17:52:29.197575');
CREATE INDEX ix_area_name ON area (name);
CREATE INDEX ix_area_parent_id ON area (parent_id);
CREATE INDEX ix_area_classification ON area (classification);
CREATE INDEX ix_audit_log_action ON audit_log (action);
CREATE INDEX ix_audit_log_at ON audit_log (at);
CREATE INDEX ix_organization_name ON organization (name);
CREATE INDEX ix_organization_area_id ON organization (area_id);
CREATE INDEX ix_organization_classification ON organization (classification);
CREATE INDEX ix_organization_parent_id ON organization (parent_id);
CREATE INDEX ix_person_phone ON person (phone);
CREATE INDEX ix_person_name ON person (name);
CREATE INDEX ix_person_home_id ON person (home_id);
CREATE INDEX ix_membership_role ON membership (role);
CREATE INDEX ix_membership_organization_id ON membership (organization_id);
CREATE INDEX ix_membership_person_id ON membership (person_id);
CREATE INDEX ix_membership_area_id ON membership (area_id);
COMMIT;
