-- CreateTable
CREATE TABLE "ContainerRecreate" (
    "id" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "userId" TEXT,
    "username" TEXT NOT NULL,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ContainerRecreate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ContainerRecreate_heartbeatAt_idx" ON "ContainerRecreate"("heartbeatAt");

-- AddForeignKey
ALTER TABLE "ContainerRecreate" ADD CONSTRAINT "ContainerRecreate_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;
