-- CreateTable
CREATE TABLE "PrunePolicy" (
    "hostId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "danglingImagesDays" INTEGER,
    "stoppedContainersDays" INTEGER,
    "unusedVolumes" BOOLEAN NOT NULL DEFAULT false,
    "intervalHours" INTEGER NOT NULL DEFAULT 24,
    "nextRunAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT,

    CONSTRAINT "PrunePolicy_pkey" PRIMARY KEY ("hostId")
);

-- CreateTable
CREATE TABLE "PruneRun" (
    "id" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "removed" TEXT NOT NULL DEFAULT '[]',
    "bytesFreed" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "errors" TEXT NOT NULL DEFAULT '[]',

    CONSTRAINT "PruneRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PruneRun_hostId_startedAt_idx" ON "PruneRun"("hostId", "startedAt");
