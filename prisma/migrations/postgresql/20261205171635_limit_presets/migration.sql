-- CreateTable
CREATE TABLE "LimitPreset" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "limits" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "LimitPreset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PresetRollout" (
    "id" TEXT NOT NULL,
    "presetId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "rollbackOf" TEXT,
    "target" TEXT NOT NULL,
    "stopOnFailure" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "startedBy" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "results" TEXT NOT NULL DEFAULT '[]',

    CONSTRAINT "PresetRollout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PresetAssignment" (
    "id" TEXT NOT NULL,
    "presetId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "containerId" TEXT NOT NULL,
    "containerName" TEXT NOT NULL,
    "values" TEXT NOT NULL,
    "rolloutId" TEXT NOT NULL,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedBy" TEXT NOT NULL,

    CONSTRAINT "PresetAssignment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "LimitPreset_name_key" ON "LimitPreset"("name");

-- CreateIndex
CREATE INDEX "PresetRollout_presetId_startedAt_idx" ON "PresetRollout"("presetId", "startedAt");

-- CreateIndex
CREATE INDEX "PresetAssignment_presetId_idx" ON "PresetAssignment"("presetId");

-- CreateIndex
CREATE UNIQUE INDEX "PresetAssignment_hostId_containerId_key" ON "PresetAssignment"("hostId", "containerId");

-- AddForeignKey
ALTER TABLE "PresetRollout" ADD CONSTRAINT "PresetRollout_presetId_fkey" FOREIGN KEY ("presetId") REFERENCES "LimitPreset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PresetAssignment" ADD CONSTRAINT "PresetAssignment_presetId_fkey" FOREIGN KEY ("presetId") REFERENCES "LimitPreset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
