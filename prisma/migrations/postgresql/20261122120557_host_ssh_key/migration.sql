-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "sshHostKey" TEXT;
