-- CreateTable
CREATE TABLE "HostLease" (
    "hostId" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'connecting',
    "lastError" TEXT,
    "lastSeen" DATETIME
);

-- CreateTable
CREATE TABLE "ClusterProcess" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "seenAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "HostLease_holder_idx" ON "HostLease"("holder");
