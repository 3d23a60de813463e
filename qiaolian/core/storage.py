"""Files on a disk that may fill up.

A full disk (ENOSPC, or EDQUOT over a quota) while a file is being written must leave neither a
record pointing to a file that is not there nor a truncated file: the services write the record
and the file in one transaction, so the error rolls the record back; ``FileSystemStorage`` here
removes what it had written of the file; ``core.middleware.FaultMiddleware`` answers 507 with
"服务器存储空间不足，文件未保存，请联系管理员". Code that writes files itself (the chunked uploads)
uses ``is_disk_full`` and ``DISK_FULL_MESSAGE``."""

from __future__ import annotations

import errno
import os

from django.core.files.storage import FileSystemStorage as DjangoFileSystemStorage
from django.utils.translation import gettext_lazy as _

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
DISK_FULL_MESSAGE = _("服务器存储空间不足，文件未保存，请联系管理员。")


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS


class FileSystemStorage(DjangoFileSystemStorage):
    """Django's, except that a file whose writing fails (disk full) is not left half written."""

    def _save(self, name, content):
        try:  # ``save`` has made ``name`` available: a file of that name is ours
            return super()._save(name, content)
        except OSError as error:
            if is_disk_full(error):
                path = self.path(name)
                if os.path.exists(path):
                    os.remove(path)
            raise
