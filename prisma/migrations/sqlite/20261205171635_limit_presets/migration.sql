-- CreateTable
CREATE TABLE "LimitPreset" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "limits" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "PresetRollout" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "presetId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "rollbackOf" TEXT,
    "target" TEXT NOT NULL,
    "stopOnFailure" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "startedBy" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "results" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "PresetRollout_presetId_fkey" FOREIGN KEY ("presetId") REFERENCES "LimitPreset" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PresetAssignment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "presetId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "containerId" TEXT NOT NULL,
    "containerName" TEXT NOT NULL,
    "values" TEXT NOT NULL,
    "rolloutId" TEXT NOT NULL,
    "appliedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedBy" TEXT NOT NULL,
    CONSTRAINT "PresetAssignment_presetId_fkey" FOREIGN KEY ("presetId") REFERENCES "LimitPreset" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "LimitPreset_name_key" ON "LimitPreset"("name");

-- CreateIndex
CREATE INDEX "PresetRollout_presetId_startedAt_idx" ON "PresetRollout"("presetId", "startedAt");

-- CreateIndex
CREATE INDEX "PresetAssignment_presetId_idx" ON "PresetAssignment"("presetId");

-- CreateIndex
CREATE UNIQUE INDEX "PresetAssignment_hostId_containerId_key" ON "PresetAssignment"("hostId", "containerId");
