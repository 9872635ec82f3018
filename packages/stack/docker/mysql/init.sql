-- Runs once, on the first start of the mysql service in docker-compose.yml.
-- The account a migration task uses: read the tables and the binlog, nothing more.
CREATE USER IF NOT EXISTS 'tidewater'@'%' IDENTIFIED BY 'tidewater';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'tidewater'@'%';
-- Tests and the quickstart connect as root over TCP with an empty password, as with the native stack.
CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
