-- CreateTable
CREATE TABLE "PrunePolicy" (
    "hostId" TEXT NOT NULL PRIMARY KEY,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "danglingImagesDays" INTEGER,
    "stoppedContainersDays" INTEGER,
    "unusedVolumes" BOOLEAN NOT NULL DEFAULT false,
    "intervalHours" INTEGER NOT NULL DEFAULT 24,
    "nextRunAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT
);

-- CreateTable
CREATE TABLE "PruneRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "removed" TEXT NOT NULL DEFAULT '[]',
    "bytesFreed" REAL NOT NULL DEFAULT 0,
    "errors" TEXT NOT NULL DEFAULT '[]'
);

-- CreateIndex
CREATE INDEX "PruneRun_hostId_startedAt_idx" ON "PruneRun"("hostId", "startedAt");
