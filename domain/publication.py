"""Where HRSS publishes the e-certificates and pass proofs (发布渠道): 河南省政务服务网, the
provincial government-services portal (2019 notice §一(二), (三): candidates download the
documents there). One definition for the act 文书发布, the PDF's page and seal, and the
credential; a module of its own so that the offline checkers import nothing heavier.
"""

DOCUMENT_CHANNEL = "河南省政务服务网"
